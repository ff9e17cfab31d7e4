// The shared Redis client (ioredis) for caches, rate limits and quotas. Commands fail fast while
// it is unreachable (no offline queue), so callers fall back to their in-memory stand-ins instead
// of hanging; ioredis keeps reconnecting in the background.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export async function connectRedis(url: string, keyPrefix: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, { keyPrefix, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  let lastLogged = 0;
  redis.on('error', (err: Error) => {
    // One line per 30 s while it is down, not one per reconnect attempt.
    if (Date.now() - lastLogged > 30_000) {
      lastLogged = Date.now();
      logger.warn({ err: err.message }, 'Redis unreachable: in-memory caches and limits stand in for this process');
    }
  });
  try {
    await redis.connect();
  } catch {
    // Logged by the error handler above; the process still starts and serves.
  }
  return redis;
}

export function redisState(redis: Redis | undefined): 'none' | 'up' | 'down' {
  if (!redis) return 'none';
  return redis.status === 'ready' ? 'up' : 'down';
}
