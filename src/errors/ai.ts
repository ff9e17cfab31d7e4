// What the AI router throws when every link of a capability's chain failed with a kind another
// provider could have answered (errors/kinds.ts `fallback`): one error for the whole chain, so the
// client sees each link's outcome rather than only the last provider's.
import type { UpstreamErrorKind } from './upstream.ts';

/** One link tried: which instance and model, and how it ended ("ok" or the error kind). */
export interface AiAttempt {
  provider: string;
  model: string;
  /** `context_length`: the prompt did not fit this link's context window, and a larger one was asked. */
  outcome: 'ok' | 'context_length' | UpstreamErrorKind;
  latencyMs: number;
  /** The provider's Retry-After (429) or the breaker's cool-down (circuit_open), when it gave one. */
  retryAfterMs?: number | undefined;
}

export class AiChainError extends Error {
  override name = 'AiChainError';

  constructor(
    readonly capability: string,
    readonly attempts: readonly AiAttempt[],
  ) {
    super(`Every provider of capability ${capability} failed: ${attempts.map((a) => `${a.provider}/${a.model} ${a.outcome}`).join(', ')}`);
  }

  /** The soonest any link said it may answer again, when one said. */
  get retryAfterMs(): number | undefined {
    const given = this.attempts.map((a) => a.retryAfterMs).filter((ms): ms is number => ms !== undefined);
    return given.length ? Math.min(...given) : undefined;
  }
}
