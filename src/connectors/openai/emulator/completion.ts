// One chat completion's result, shaped two ways: the whole `chat.completion` object, or the
// `chat.completion.chunk` stream (role, one delta per token, finish, optional usage, [DONE]).
import { randomBytes } from 'node:crypto';
import type { SseEvent } from '../../../emulators/http.ts';

export type FinishReason = 'stop' | 'length';

export interface Completion {
  model: string;
  pieces: string[];
  finish: FinishReason;
  promptTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  fingerprint: string;
}

// A reasoning model thinks before it answers; how long depends on the effort asked for.
const REASONING_TOKENS: Record<string, number> = { none: 0, minimal: 0, low: 64, medium: 192, high: 512, xhigh: 1024 };

/**
 * Cuts the answer to the completion budget. A reasoning model spends its reasoning tokens
 * first, so a small budget can leave it no visible text at all (finish_reason "length").
 */
export function spend(text: string, max: number | undefined, reasoning: { effort: string } | undefined) {
  const pieces = text.match(/[\s\S]{1,4}/g) ?? [];
  const think = reasoning ? (REASONING_TOKENS[reasoning.effort] ?? REASONING_TOKENS.medium!) : 0;
  if (max === undefined) return { pieces, finish: 'stop' as const, reasoningTokens: think };
  if (think >= max) return { pieces: [], finish: 'length' as const, reasoningTokens: max };
  if (pieces.length > max - think) return { pieces: pieces.slice(0, max - think), finish: 'length' as const, reasoningTokens: think };
  return { pieces, finish: 'stop' as const, reasoningTokens: think };
}

function usage(c: Completion): Record<string, unknown> {
  // An answer emptied by a stop sequence still costs a token; one starved by reasoning costs none.
  const visible = c.pieces.length > 0 ? c.pieces.length : c.finish === 'length' || c.reasoningTokens > 0 ? 0 : 1;
  const completion = c.reasoningTokens + visible;
  return {
    prompt_tokens: c.promptTokens,
    completion_tokens: completion,
    total_tokens: c.promptTokens + completion,
    prompt_tokens_details: { cached_tokens: c.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: c.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export function totalTokens(c: Completion): number {
  return usage(c).total_tokens as number;
}

const header = (c: Completion, id: string, created: number, object: string) => ({ id, object, created, model: c.model });

export function completionBody(c: Completion): Record<string, unknown> {
  return {
    ...header(c, newId(), Math.floor(Date.now() / 1000), 'chat.completion'),
    choices: [
      { index: 0, message: { role: 'assistant', content: c.pieces.join(''), refusal: null, annotations: [] }, logprobs: null, finish_reason: c.finish },
    ],
    usage: usage(c),
    service_tier: 'default',
    system_fingerprint: c.fingerprint,
  };
}

export function completionChunks(c: Completion, includeUsage: boolean): SseEvent[] {
  const base = { ...header(c, newId(), Math.floor(Date.now() / 1000), 'chat.completion.chunk'), service_tier: 'default', system_fingerprint: c.fingerprint };
  // With include_usage every chunk carries `usage: null` until the last, which carries only usage.
  const chunk = (delta: Record<string, unknown>, finish: FinishReason | null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  return [
    { data: chunk({ role: 'assistant', content: '', refusal: null }, null) },
    ...c.pieces.map((content) => ({ data: chunk({ content }, null), token: true })),
    { data: chunk({}, c.finish) },
    ...(includeUsage ? [{ data: { ...base, choices: [], usage: usage(c) } }] : []),
    { data: '[DONE]' },
  ];
}

function newId(): string {
  return `chatcmpl-${randomBytes(15).toString('base64url')}`;
}
