// The outbound quota of one connector: the provider's documented request rate, shared across
// replicas through Redis. A call over quota waits briefly for the next window (quotaWaitMs)
// before it is refused, and a 429 from the provider pauses every call to it until its
// Retry-After has passed, so one throttled call does not become a retry storm.
import type { Redis } from 'ioredis';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { UpstreamError } from '../errors/upstream.ts';
import type { CallPolicy } from './policies.ts';
import { createLimiter, tryConsume } from './limiter.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class OutboundQuota {
  private readonly limiter: RateLimiterAbstract;
  private pausedUntil = 0;
  /** Points left in the current window at the last call, for /health/ready's "quota remaining". */
  private lastRemaining: number | undefined;

  constructor(
    private readonly connector: string,
    private readonly policy: CallPolicy,
    redis: Redis | undefined,
  ) {
    this.limiter = createLimiter(redis, { keyPrefix: 'quota', points: policy.quota.points, durationMs: policy.quota.durationMs });
  }

  /** Called when the provider answers 429 with a Retry-After. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  remaining(): { points: number; of: number } | undefined {
    return this.lastRemaining === undefined ? undefined : { points: this.lastRemaining, of: this.policy.quota.points };
  }

  /** Waits for quota for one call of `cost`, or throws rate_limited when the wait would exceed maxWaitMs. */
  async acquire(operation: string, cost: number, maxWaitMs: number): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const paused = this.pausedUntil - Date.now();
      let wait = paused;
      if (paused <= 0) {
        const res = await tryConsume(this.limiter, this.connector, cost);
        this.lastRemaining = Math.max(0, res.remaining);
        if (res.waitMs === 0) return;
        wait = res.waitMs;
      }
      if (Date.now() + wait > deadline) {
        throw new UpstreamError({
          connector: this.connector,
          operation,
          kind: 'rate_limited',
          message: paused > 0 ? 'Paused after the provider asked to retry later' : 'Outbound quota for this provider is used up',
          retryAfterMs: wait,
        });
      }
      await sleep(wait);
    }
  }
}
