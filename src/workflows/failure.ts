// How a step's failure is read, by the error taxonomy (errors/kinds.ts): an upstream that could
// not answer now (the kinds whose stale answer is allowed: transient, timeout, rate_limited,
// circuit_open, busy), our own cancellation (this process lost the run) or a store that is down
// is tried again later on the queue; anything else (rejected, conflict, auth, contract, a bug) is
// permanent, and the run compensates. The failure is kept as the graph would show it, so a caller
// waiting for the run, or replaying its idempotency key, gets the coded error it would have had.
import { UpstreamError } from '../errors/upstream.ts';
import { StoreUnavailableError } from '../errors/store.ts';
import { traitsOf } from '../errors/kinds.ts';
import { ErrorCode, codedError, toGraphQLError } from '../errors/index.ts';
import type { RunError } from '../connectors/store/index.ts';

/**
 * Thrown by a step that cannot go on without a person (e.g. a value another record holds): the
 * run needs attention at once, with `cause` as its coded error, nothing is undone, and it is
 * still tried now and then (WORKFLOW_ATTENTION_RETRY_SECONDS), so it completes once the cause is gone.
 */
export class NeedsAttention extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'NeedsAttention';
  }
}

export interface StepFailure {
  transient: boolean;
  /** The step asked for a person (NeedsAttention): no retries now, no compensation. */
  attention?: boolean;
  /** What a client may see (unknown errors masked). */
  public: RunError;
  /** What an operator reads in the journal: the error's own message. */
  detail: string;
}

export function classify(err: unknown): StepFailure {
  if (err instanceof NeedsAttention) return { ...classify(err.cause), transient: true, attention: true, detail: err.message };
  const transient = (err instanceof UpstreamError && (traitsOf(err.kind).staleAllowed || err.kind === 'cancelled')) || err instanceof StoreUnavailableError;
  const mapped = toGraphQLError(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (!mapped) return { transient, public: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' }, detail };
  const { code, ...extensions } = mapped.extensions as Record<string, unknown>;
  return { transient, public: { code: String(code), message: mapped.message, extensions }, detail };
}

/** The coded error a run that failed answers with. */
export function runErrorToGraphQL(e: RunError) {
  return codedError(e.code as ErrorCode, e.message, e.extensions ?? {});
}
