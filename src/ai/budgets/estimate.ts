// What a call is reserved for before it runs, and the UTC day it is charged to. The estimate is
// deliberately pessimistic (the whole completion allowance of the dearest link), so settlement
// almost always gives some back and the overspend a reservation can cause is bounded by how far
// one call's real usage passes its estimate.
import type { ChatMessage } from '../../connectors/domain/ai.ts';
import type { PriceTable, PricedUsage } from '../../ops/prices.ts';
import type { Charge } from './types.ts';

/** The completion allowance reserved for a link that caps nothing and a request that asks no maxTokens. */
export const DEFAULT_MAX_TOKENS = 1024;

export interface EstimatedLink {
  model: string;
  /** The request's maxTokens under the link's cap; null: neither sets one. */
  maxTokens: number | null;
}

// About four characters a token for English text, plus the chat APIs' published framing (3 a message,
// 3 to prime the reply): a tokenizer per model would be exact, but settlement corrects the
// difference, so a cheap bound is enough here.
export const promptTokens = (messages: readonly ChatMessage[]) => 3 + messages.reduce((n, m) => n + 3 + Math.ceil(m.content.length / 4), 0);

/** Tokens of text written so far (a stream cut before the provider counted it). */
export const textTokens = (text: string) => Math.ceil(text.length / 4);

/** The largest charge any link of the chain could make: its tokens, and its USD where it has a price (0 where none does). */
export function estimate(messages: readonly ChatMessage[], links: readonly EstimatedLink[], prices: PriceTable | undefined): Charge {
  const prompt = promptTokens(messages);
  let tokens = 0;
  let usd = 0;
  for (const link of links) {
    const completion = link.maxTokens ?? DEFAULT_MAX_TOKENS;
    tokens = Math.max(tokens, prompt + completion);
    usd = Math.max(usd, prices?.cost(link.model, { promptTokens: prompt, completionTokens: completion }) ?? 0);
  }
  return { tokens, usd };
}

/** Embeddings: every text's tokens, priced at the dearest link's model. */
export function embeddingEstimate(texts: readonly string[], models: readonly string[], prices: PriceTable | undefined): Charge {
  const tokens = texts.reduce((n, t) => n + textTokens(t), 0);
  return { tokens, usd: Math.max(0, ...models.map((m) => prices?.cost(m, { promptTokens: tokens, completionTokens: 0 }) ?? 0)) };
}

/** What an answered call really cost; an unpriced model counts its tokens only. */
export function actual(model: string, usage: PricedUsage & { totalTokens: number }, prices: PriceTable | undefined): Charge {
  return { tokens: usage.totalTokens, usd: prices?.cost(model, usage) ?? 0 };
}

/** The UTC day of `now` (YYYY-MM-DD) and the next UTC midnight, when its budgets reset. */
export function period(now: Date): { day: string; resetAt: string } {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return { day: now.toISOString().slice(0, 10), resetAt: new Date(next).toISOString() };
}
