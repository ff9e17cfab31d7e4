// Short-lived facts every replica must see, such as "this customer's payments changed a moment
// ago" (the read-your-writes window of batched reads): in Redis when it is configured, in this
// process's memory otherwise. Each mark is also kept in memory, so while Redis is unreachable
// the replica that made a write still honours it, and the others fall back to what they know.
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

export class SharedMarks {
  private readonly local: LRUCache<string, true>;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly prefix = 'mark:',
    maxLocal = 100_000,
  ) {
    // Bounded by maxSize, not max: with max, lru-cache allocates its arrays for every entry up front
    // (4 MB for 100 000 marks with their expiry times), while marks are few at any one time.
    this.local = new LRUCache<string, true>({ maxSize: maxLocal, sizeCalculation: () => 1 });
  }

  /** Marks `key` for `ttlMs`, on every replica once it resolves (a Redis failure leaves the local mark only). */
  async set(key: string, ttlMs: number): Promise<void> {
    this.local.set(key, true, { ttl: ttlMs });
    await this.redis?.set(this.prefix + key, '1', 'PX', ttlMs).catch(() => undefined);
  }

  /** Which of `keys` are marked now: one round trip for all of them. */
  async which(keys: readonly string[]): Promise<Set<string>> {
    const marked = new Set(keys.filter((k) => this.local.has(k)));
    if (!this.redis || marked.size === keys.length) return marked;
    try {
      const values = await this.redis.mget(...keys.map((k) => this.prefix + k));
      values.forEach((v, i) => v !== null && marked.add(keys[i]!));
    } catch {
      // Redis unreachable: what this process marked itself still holds.
    }
    return marked;
  }
}
