// One CacheStore interface for the pipeline's read cache and Apollo's persisted-query cache:
// in memory (lru-cache) for a single process, Redis (ioredis) when replicas must share it.
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';

export interface CacheEntry {
  value: unknown;
  /** When it was stored (ms since epoch). */
  storedAt: number;
  /** Until when it is fresh; after that it is served only while the upstream fails. */
  freshUntil: number;
}

export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<CacheEntry | undefined>;
  /** Keeps the entry for `retainMs` (fresh plus stale time) and files it under each tag. */
  set(key: string, entry: CacheEntry, retainMs: number, tags: readonly string[]): Promise<void>;
  /** Drops every entry filed under any of the tags (our own writes call this). */
  invalidate(tags: readonly string[]): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Apollo's automatic persisted queries kept in the same store, under their own prefix. */
export function apqCache(store: CacheStore): KeyValueCache<string> {
  const key = (k: string) => `apq:${k}`;
  return {
    async get(k) {
      const entry = await store.get(key(k));
      return typeof entry?.value === 'string' ? entry.value : undefined;
    },
    async set(k, value, options) {
      const ttlMs = (options?.ttl ?? 86_400) * 1000;
      const now = Date.now();
      await store.set(key(k), { value, storedAt: now, freshUntil: now + ttlMs }, ttlMs, []);
    },
    async delete(k) {
      await store.delete(key(k));
    },
  };
}
