// What protects one upstream call below the cache: outbound quota -> bulkhead ->
// circuit breaker -> retry (-> quota again for each retry) -> timeout -> call -> validation.
// The first attempt's quota is taken before the bulkhead and the breaker, so a call waiting for
// quota holds no slot and our own refusal never reaches the breaker (where a half-open trial
// would count it a success). The retry and below are attempts.ts.
import { BrokenCircuitError, BulkheadRejectedError } from 'cockatiel';
import type { z } from 'zod';
import { UpstreamError } from '../errors/upstream.ts';
import { withRetries, type ErrorClassifier } from './attempts.ts';
import type { ConnectorRuntime } from './connector.ts';
import type { CallPolicy } from './policies.ts';
import { currentScope } from './scope.ts';

export interface GuardOptions<S extends z.ZodType> {
  /** Safe to repeat: a read, or a write carrying an idempotency key the upstream honours. */
  idempotent: boolean;
  /** What we read from the response; a mismatch is a contract change, not a crash. */
  schema: S;
}

export interface GuardedCall<S extends z.ZodType> {
  connector: string;
  operation: string;
  policy: CallPolicy;
  opts: GuardOptions<S>;
  classify: ErrorClassifier;
  /** The call's event: its attempts are counted here. */
  event: { attempts: number };
  /** Stop when the caller goes away (its scope's signal). */
  followCallerSignal: boolean;
}

export async function guarded<S extends z.ZodType>(
  rt: ConnectorRuntime,
  call: GuardedCall<S>,
  fn: (signal: AbortSignal) => Promise<unknown>,
): Promise<z.output<S>> {
  const { connector, operation, policy, opts } = call;
  const scope = currentScope();
  const signal = call.followCallerSignal ? scope?.signal : undefined;
  const principal = scope?.principalId;
  const quotaWaitMs = Math.max(policy.quotaWaitMs, scope?.quotaWaitMs ?? 0);
  const takeQuota = () => rt.quota.acquire(operation, policy.cost, quotaWaitMs, principal);
  const spec = {
    connector,
    operation,
    idempotent: opts.idempotent,
    schema: opts.schema,
    policy,
    classify: call.classify,
    signal,
    onRetryAfter: (ms: number) => rt.quota.pause(ms),
    beforeRetry: takeQuota,
  };
  try {
    await takeQuota();
    let value: z.output<S>;
    try {
      value = await rt.bulkhead.execute(() => rt.breaker.execute(() => withRetries(spec, fn, () => call.event.attempts++)));
    } catch (err) {
      // Refused before it was sent (open circuit, full bulkhead): it took quota it did not use.
      if (err instanceof BrokenCircuitError || err instanceof BulkheadRejectedError) rt.quota.giveBack(policy.cost, principal);
      throw policyError(err, connector, operation, rt);
    }
    rt.record('ok');
    return value;
  } catch (err) {
    const e = err as UpstreamError;
    rt.record(e.kind, e);
    throw e;
  }
}

/** cockatiel's own refusals, as the kinds the rest of Switchyard knows. */
function policyError(err: unknown, connector: string, operation: string, rt: ConnectorRuntime): unknown {
  if (err instanceof BrokenCircuitError) {
    return new UpstreamError({ connector, operation, kind: 'circuit_open', message: 'Circuit open after repeated failures', retryAfterMs: rt.halfOpenInMs() });
  }
  if (err instanceof BulkheadRejectedError) {
    return new UpstreamError({ connector, operation, kind: 'rate_limited', message: 'Too many calls in flight to this provider', retryAfterMs: 1_000 });
  }
  return err;
}
