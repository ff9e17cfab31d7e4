// rate-limiter-flexible limiters on Redis when there is one (so a limit holds across replicas),
// in memory otherwise. A Redis outage falls back to the in-memory limiter (insuranceLimiter)
// rather than refusing every request.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export function createLimiter(redis: Redis | undefined, opts: { keyPrefix: string; points: number; durationMs: number }): RateLimiterAbstract {
  const base = { keyPrefix: opts.keyPrefix, points: opts.points, duration: Math.max(1, Math.round(opts.durationMs / 1000)) };
  const memory = new RateLimiterMemory(base);
  if (!redis) return memory;
  return new RateLimiterRedis({ ...base, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(base) });
}

/**
 * Consumes `points`: waitMs is 0 when allowed, else how long until enough points are back;
 * resetMs is how long until the key's window starts afresh.
 */
export async function tryConsume(
  limiter: Pick<RateLimiterAbstract, 'consume'>,
  key: string,
  points: number,
): Promise<{ waitMs: number; remaining: number; resetMs: number }> {
  try {
    const res = await limiter.consume(key, points);
    return { waitMs: 0, remaining: res.remainingPoints, resetMs: res.msBeforeNext };
  } catch (res) {
    if (res instanceof RateLimiterRes) return { waitMs: Math.max(1, res.msBeforeNext), remaining: 0, resetMs: res.msBeforeNext };
    throw res;
  }
}

/** Consumes one point; resolves with how long until the key has points again when this one was its last (or past it), 0 while some are left. */
export async function spendOne(limiter: Pick<RateLimiterAbstract, 'consume'>, key: string): Promise<number> {
  const { waitMs, remaining, resetMs } = await tryConsume(limiter, key, 1);
  return waitMs || (remaining > 0 ? 0 : Math.max(1, resetMs));
}
