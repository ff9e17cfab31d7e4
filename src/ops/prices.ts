// What AI calls cost: USD per million input (prompt) and output (completion) tokens, with cache
// reads, cache writes and reasoning tokens priced apart where the model's price says so. The
// defaults are each AI module's published prices for its common models; AI_PRICES overrides or
// extends them (JSON: {"model": {"input": 0.15, "cachedInput": 0.075, "output": 0.6}}). A model that is
// not in the table still counts its tokens, but its cost is unknown (null), never guessed.
import type { ModelPrice, TokenUsage } from '../connectors/domain/ai.ts';

/** What a cost is computed from: the subsets default to none. */
export type PricedUsage = Pick<TokenUsage, 'promptTokens' | 'completionTokens'> &
  Partial<Pick<TokenUsage, 'cachedTokens' | 'cacheWriteTokens' | 'reasoningTokens'>>;

export type { ModelPrice } from '../connectors/domain/ai.ts';

// Providers answer with dated snapshots (gpt-4o-mini-2024-07-18): they cost what their family costs.
const SNAPSHOT = /-\d{4}-\d{2}-\d{2}$/;

export class PriceTable {
  private readonly prices: Map<string, ModelPrice>;

  constructor(defaults: Readonly<Record<string, ModelPrice>>, overrides: Record<string, ModelPrice> = {}) {
    this.prices = new Map(Object.entries({ ...defaults, ...overrides }));
  }

  price(model: string): ModelPrice | undefined {
    return this.prices.get(model) ?? this.prices.get(model.replace(SNAPSHOT, ''));
  }

  /** USD for one call, or null when the model has no price. */
  cost(model: string, u: PricedUsage): number | null {
    const p = this.price(model);
    if (!p) return null;
    const cached = u.cachedTokens ?? 0;
    const written = u.cacheWriteTokens ?? 0;
    const reasoning = u.reasoningTokens ?? 0;
    const usd =
      (u.promptTokens - cached - written) * p.input +
      cached * (p.cachedInput ?? p.input) +
      written * (p.cacheWrite ?? p.input) +
      (u.completionTokens - reasoning) * p.output +
      reasoning * (p.reasoning ?? p.output);
    // Rounded to a millionth of a cent, so sums stay exact enough and records stay short.
    return Math.round((usd / 1e6) * 1e8) / 1e8;
  }
}
