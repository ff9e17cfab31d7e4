// The shared CacheStore on Redis: entries as JSON strings with PX expiry, each tag a set of the
// keys filed under it (expiring with its longest entry), so an invalidation on one replica is
// seen by all.
import type { Redis } from 'ioredis';
import type { CacheEntry, CacheStore } from './index.ts';

export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis';

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'cache:',
  ) {}

  async get(key: string): Promise<CacheEntry | undefined> {
    const raw = await this.redis.get(this.prefix + key);
    return raw ? (JSON.parse(raw) as CacheEntry) : undefined;
  }

  async set(key: string, entry: CacheEntry, retainMs: number, tags: readonly string[]): Promise<void> {
    const multi = this.redis.multi().set(this.prefix + key, JSON.stringify(entry), 'PX', retainMs);
    for (const tag of tags) {
      const tagKey = `${this.prefix}tag:${tag}`;
      multi
        .sadd(tagKey, this.prefix + key)
        .pexpire(tagKey, retainMs, 'GT')
        .pexpire(tagKey, retainMs, 'NX');
    }
    await multi.exec();
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    for (const tag of tags) {
      const tagKey = `${this.prefix}tag:${tag}`;
      const keys = await this.redis.smembers(tagKey);
      await this.redis.del(tagKey, ...keys);
    }
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async close(): Promise<void> {
    // The Redis client is shared and closed by its owner.
  }
}
