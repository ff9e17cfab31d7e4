// One circuit breaker per connector, shared by every request in the process. It opens on
// either signal a production breaker needs: N consecutive failures (a hard outage) or a failure
// share over a sliding window (a brown-out). cockatiel ships each breaker; the composite that
// trips on either is the few lines below.
import { CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, SamplingBreaker, circuitBreaker, handleWhen, type IBreaker } from 'cockatiel';
import { traitsOf } from '../errors/kinds.ts';
import { UpstreamError } from '../errors/upstream.ts';
import type { CallPolicy } from './policies.ts';

class EitherBreaker implements IBreaker {
  constructor(private readonly breakers: IBreaker[]) {}

  get state(): unknown {
    return this.breakers.map((b) => b.state);
  }

  set state(value: unknown) {
    if (Array.isArray(value)) this.breakers.forEach((b, i) => (b.state = value[i]));
  }

  success(state: CircuitState): void {
    for (const b of this.breakers) b.success(state);
  }

  failure(state: CircuitState): boolean {
    // Every breaker must see every failure, so no short-circuit evaluation here.
    return this.breakers.map((b) => b.failure(state)).some(Boolean);
  }
}

/** Only the upstream failing to answer counts: a 4xx (rejected input, auth, 429) never trips it. */
export function tripsBreaker(err: unknown): boolean {
  return err instanceof UpstreamError && traitsOf(err.kind).tripsBreaker;
}

export function createBreaker(policy: CallPolicy['breaker']): CircuitBreakerPolicy {
  const window = Math.max(1, policy.windowMs);
  return circuitBreaker(handleWhen(tripsBreaker), {
    halfOpenAfter: policy.halfOpenAfterMs,
    breaker: new EitherBreaker([
      new ConsecutiveBreaker(policy.consecutiveFailures),
      new SamplingBreaker({ threshold: policy.failureRatio, duration: window, minimumRps: policy.minCalls / (window / 1000) }),
    ]),
  });
}

export const BREAKER_STATES: Record<CircuitState, 'closed' | 'open' | 'half_open' | 'isolated'> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};
