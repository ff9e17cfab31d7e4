// The in-process CacheStore: bounded LRU, per-entry TTL, tags kept in a side index.
import { LRUCache } from 'lru-cache';
import type { CacheEntry, CacheStore } from './index.ts';

export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory';
  private readonly entries: LRUCache<string, CacheEntry>;
  private readonly tags = new Map<string, Set<string>>();

  constructor(maxEntries = 10_000) {
    this.entries = new LRUCache<string, CacheEntry>({
      // A count bound through maxSize: with max, lru-cache allocates its arrays for every entry up front.
      maxSize: maxEntries,
      sizeCalculation: () => 1,
      ttlAutopurge: false,
      // Keep the tag index from growing with keys the LRU already let go.
      dispose: (_value, key) => {
        for (const keys of this.tags.values()) keys.delete(key);
      },
    });
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, entry: CacheEntry, retainMs: number, tags: readonly string[]): Promise<void> {
    this.entries.set(key, entry, { ttl: retainMs });
    for (const tag of tags) {
      let keys = this.tags.get(tag);
      if (!keys) this.tags.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    for (const tag of tags) {
      const keys = this.tags.get(tag);
      this.tags.delete(tag);
      for (const key of keys ?? []) this.entries.delete(key);
    }
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.tags.clear();
  }
}
