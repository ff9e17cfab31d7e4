// The outbound quota of one connector: the provider's documented request rate, shared across
// replicas through Redis, taken once per attempt (a retry is a request the provider counts).
//
// Fairness: one principal may take at most `principalShare` of each window, so a greedy
// operation cannot leave every other caller RATE_LIMITED. The cap holds whether or not others
// are asking (not work-conserving): a caller that arrives after a greedy one must still find
// quota in the same window, and across replicas no one can see who is about to ask. A share of 1
// turns the cap off.
//
// A call over quota waits briefly for the next window (quotaWaitMs) before it is refused, and a
// 429 from the provider pauses every call to it, on every replica, until its Retry-After has
// passed, so one throttled call does not become a retry storm.
import type { Redis } from 'ioredis';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { UpstreamError } from '../errors/upstream.ts';
import type { CallPolicy } from './policies.ts';
import { createLimiter, tryConsume } from './limiter.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls made outside any operation (no principal) share this key. */
export const SYSTEM_PRINCIPAL = 'system';

/** Refused by our own quota: the wait for it already happened, so it is never retried. */
export class QuotaRefusal extends UpstreamError {}

type Taken = { waitMs: 0 } | { waitMs: number; why: 'paused' | 'share' | 'quota' };

const MESSAGES = {
  paused: 'Paused after the provider asked to retry later',
  share: "This principal's share of the provider's quota is used up",
  quota: 'Outbound quota for this provider is used up',
} as const;

export class OutboundQuota {
  private readonly limiter: RateLimiterAbstract;
  private readonly perPrincipal: RateLimiterAbstract | undefined;
  private readonly principalPoints: number;
  private pausedUntil = 0;
  /** Points left in the current window at the last call, for /health/ready's "quota remaining". */
  private lastRemaining: number | undefined;

  constructor(
    private readonly connector: string,
    private readonly policy: CallPolicy,
    redis: Redis | undefined,
    principalShare: number,
  ) {
    const { points, durationMs } = policy.quota;
    this.limiter = createLimiter(redis, { keyPrefix: 'quota', points, durationMs });
    const share = policy.quota.principalShare ?? principalShare;
    this.principalPoints = Math.max(1, Math.floor(points * share));
    if (this.principalPoints < points) this.perPrincipal = createLimiter(redis, { keyPrefix: 'quota-share', points: this.principalPoints, durationMs });
  }

  /** Called when the provider answers 429 with a Retry-After. */
  pause(ms: number): void {
    if (!(ms > 0)) return;
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    // Blocking the shared window key is how the other replicas learn of the pause: their next
    // consume is refused until it ends, at no extra round trip. Whole seconds, at least one
    // (rate-limiter-flexible's Redis store stores a block of under a second without expiry).
    this.limiter.block(this.connector, Math.max(1, Math.ceil(ms / 1000))).catch(() => undefined);
  }

  remaining(): { points: number; of: number } | undefined {
    return this.lastRemaining === undefined ? undefined : { points: this.lastRemaining, of: this.policy.quota.points };
  }

  /** Waits for quota for one attempt of `cost`, or throws QuotaRefusal when the wait would exceed maxWaitMs. */
  async acquire(operation: string, cost: number, maxWaitMs: number, principal = SYSTEM_PRINCIPAL): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const taken = await this.take(principal, cost);
      if (taken.waitMs === 0) return;
      if (Date.now() + taken.waitMs > deadline) {
        const why = 'why' in taken ? taken.why : 'quota';
        throw new QuotaRefusal({ connector: this.connector, operation, kind: 'rate_limited', message: MESSAGES[why], retryAfterMs: taken.waitMs });
      }
      await sleep(taken.waitMs);
    }
  }

  /** Returns quota taken for an attempt that was never sent (refused by the breaker or the bulkhead). Not awaited. */
  giveBack(cost: number, principal = SYSTEM_PRINCIPAL): void {
    this.limiter.reward(this.connector, cost).catch(() => undefined);
    this.perPrincipal?.reward(`${this.connector}:${principal}`, Math.min(cost, this.principalPoints)).catch(() => undefined);
  }

  private async take(principal: string, cost: number): Promise<Taken> {
    const paused = this.pausedUntil - Date.now();
    if (paused > 0) return { waitMs: paused, why: 'paused' };
    const key = `${this.connector}:${principal}`;
    // The principal's share first: a principal over it must not take from what others may use.
    const own = Math.min(cost, this.principalPoints);
    if (this.perPrincipal) {
      const mine = await tryConsume(this.perPrincipal, key, own);
      if (mine.waitMs > 0) return { waitMs: mine.waitMs, why: 'share' };
    }
    const all = await tryConsume(this.limiter, this.connector, cost);
    this.lastRemaining = Math.max(0, all.remaining);
    if (all.waitMs === 0) return { waitMs: 0 };
    // Nothing reached the provider, so nothing counts against the principal's share either.
    await this.perPrincipal?.reward(key, own).catch(() => undefined);
    return { waitMs: all.waitMs, why: 'quota' };
  }
}
