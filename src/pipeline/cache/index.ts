// One CacheStore interface for the pipeline's read cache: in memory (lru-cache) for a single
// process, Redis (ioredis) when replicas must share it. Apollo's persisted queries have a store
// of their own (apq.ts).

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
