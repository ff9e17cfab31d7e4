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

/** Consumes `points`; resolves with 0 when allowed, or with how long until enough points are back. */
export async function tryConsume(limiter: Pick<RateLimiterAbstract, 'consume'>, key: string, points: number): Promise<number> {
  try {
    await limiter.consume(key, points);
    return 0;
  } catch (res) {
    if (res instanceof RateLimiterRes) return Math.max(1, res.msBeforeNext);
    throw res;
  }
}
