// The inner layers of a call: retry (jittered exponential backoff that honours Retry-After and
// a cap on total time) around timeout around the SDK call, then response validation. Every
// retry takes outbound quota first, as the first attempt did before the breaker (index.ts).
import { DelegateBackoff, handleWhen, retry } from 'cockatiel';
import type { z } from 'zod';
import { traitsOf } from '../errors/kinds.ts';
import { UpstreamError } from '../errors/upstream.ts';
import type { CallPolicy } from './policies.ts';
import { QuotaRefusal } from './quota.ts';
import { runWithCallSignal } from './signal.ts';

export type ErrorClassifier = (err: unknown, operation: string) => UpstreamError;

export interface AttemptSpec<S extends z.ZodType> {
  connector: string;
  operation: string;
  idempotent: boolean;
  schema: S;
  policy: CallPolicy;
  classify: ErrorClassifier;
  /** The client's own signal (it went away): stops the call and any further retry. */
  signal?: AbortSignal;
  /** Told about every 429 with a Retry-After, so the whole connector can pause. */
  onRetryAfter?: (ms: number) => void;
  /** Runs before every retry: the outbound quota, since the provider counts each retry too. */
  beforeRetry?: () => Promise<void>;
}

/** One attempt: the deadline reaches the SDK through `signal`; every failure leaves as an UpstreamError. */
async function attempt<S extends z.ZodType>(spec: AttemptSpec<S>, fn: (signal: AbortSignal) => Promise<unknown>): Promise<z.output<S>> {
  const deadline = AbortSignal.timeout(spec.policy.timeoutMs);
  const signal = spec.signal ? AbortSignal.any([deadline, spec.signal]) : deadline;
  let raw: unknown;
  try {
    raw = await runWithCallSignal(signal, () => fn(signal));
  } catch (err) {
    // The client went away: not the upstream's fault, so it must never count against its breaker.
    if (spec.signal?.aborted && !deadline.aborted) {
      throw new UpstreamError({ connector: spec.connector, operation: spec.operation, kind: 'cancelled', message: 'The client went away', cause: err });
    }
    if (deadline.aborted) {
      throw new UpstreamError({
        connector: spec.connector,
        operation: spec.operation,
        kind: 'timeout',
        message: `No answer within ${spec.policy.timeoutMs} ms`,
        cause: err,
      });
    }
    const e = err instanceof UpstreamError ? err : spec.classify(err, spec.operation);
    if (e.kind === 'rate_limited' && e.retryAfterMs !== undefined) spec.onRetryAfter?.(e.retryAfterMs);
    throw e;
  }
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new UpstreamError({
      connector: spec.connector,
      operation: spec.operation,
      kind: 'contract',
      message: `Response does not match the expected shape: ${where.join('; ')}`,
    });
  }
  return parsed.data;
}

/** Runs the call with retries; `onAttempt` counts every attempt for the call's event. */
export async function withRetries<S extends z.ZodType>(
  spec: AttemptSpec<S>,
  fn: (signal: AbortSignal) => Promise<unknown>,
  onAttempt: () => void,
): Promise<z.output<S>> {
  const { policy } = spec;
  if (!spec.idempotent || policy.maxAttempts <= 1) {
    onAttempt();
    return attempt(spec, fn);
  }
  const started = Date.now();
  let retries = 0;
  let planned = 0;
  let lastError: unknown;
  let outOfQuota = false;
  const once = async (): Promise<z.output<S>> => {
    if (retries > 0 && spec.beforeRetry) {
      try {
        await spec.beforeRetry();
      } catch (err) {
        // No quota for another try: the call ends with what the provider last answered (the
        // failure it is, for the breaker too), not with our own refusal.
        outOfQuota = true;
        throw err instanceof QuotaRefusal && lastError ? lastError : err;
      }
    }
    onAttempt();
    try {
      return await attempt(spec, fn);
    } catch (err) {
      lastError = err;
      throw err;
    }
  };
  // The predicate decides and plans the delay at once, so the budget check and the backoff
  // agree: full jitter on an exponential step, never shorter than the provider's Retry-After.
  const shouldRetry = (err: unknown): boolean => {
    if (outOfQuota || !(err instanceof UpstreamError) || !traitsOf(err.kind).retried || spec.signal?.aborted) return false;
    const step = policy.backoffMs * 2 ** retries;
    planned = Math.max(err.retryAfterMs ?? 0, Math.round(Math.random() * step));
    if (Date.now() - started + planned > policy.retryBudgetMs) return false;
    retries++;
    return true;
  };
  const policyRunner = retry(handleWhen(shouldRetry), { maxAttempts: policy.maxAttempts - 1, backoff: new DelegateBackoff(() => planned) });
  return policyRunner.execute(once);
}
