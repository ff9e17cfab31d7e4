// Apollo's automatic persisted queries (APQ) in a store of their own. Anyone, anonymous callers
// included, may register a document (Apollo stores it once it has passed parsing, validation and
// the limits), so registrations must never compete with the pipeline's read cache for room, and
// the room they get is counted in bytes, not entries: in memory an LRU bounded by maxBytes
// (lru-cache's maxSize); on Redis its own key prefix (REDIS_KEY_PREFIX + `apq:`), a TTL and a
// cap per entry. No entry is larger than a document the limits accept. A Redis that fails
// answers "not found", which APQ clients handle by sending the full query again.
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { LRUCache } from 'lru-cache';
import type { Redis } from 'ioredis';

export interface ApqStoreOptions {
  /** In memory: the store's whole size, in bytes of document text. */
  maxBytes: number;
  /** The largest document kept (GRAPHQL_MAX_DOCUMENT_BYTES): larger ones are not stored. */
  maxEntryBytes: number;
  /** Used when Apollo passes no TTL. */
  defaultTtlSeconds: number;
}

// What a JavaScript string and an LRU node cost beyond their UTF-8 bytes, roughly: keeps a
// flood of tiny entries from holding more memory than the bound suggests.
const ENTRY_OVERHEAD_BYTES = 200;

export interface ApqStore extends KeyValueCache<string> {
  readonly kind: 'memory' | 'redis';
  /** Bytes held (memory only; Redis reports -1). */
  size(): number;
}

export class MemoryApqStore implements ApqStore {
  readonly kind = 'memory';
  private readonly lru: LRUCache<string, string>;

  constructor(private readonly o: ApqStoreOptions) {
    this.lru = new LRUCache<string, string>({
      maxSize: o.maxBytes,
      maxEntrySize: o.maxEntryBytes + ENTRY_OVERHEAD_BYTES + 128,
      sizeCalculation: (value, key) => Buffer.byteLength(value) + Buffer.byteLength(key) + ENTRY_OVERHEAD_BYTES,
      ttlAutopurge: false,
    });
  }

  async get(key: string): Promise<string | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    if (Buffer.byteLength(value) > this.o.maxEntryBytes) return;
    this.lru.set(key, value, { ttl: (options?.ttl ?? this.o.defaultTtlSeconds) * 1000 });
  }

  async delete(key: string): Promise<boolean> {
    return this.lru.delete(key);
  }

  size(): number {
    return this.lru.calculatedSize;
  }
}

export class RedisApqStore implements ApqStore {
  readonly kind = 'redis';

  constructor(
    private readonly redis: Redis,
    private readonly o: ApqStoreOptions,
    private readonly prefix = 'apq:',
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key).catch(() => null)) ?? undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    if (Buffer.byteLength(value) > this.o.maxEntryBytes) return;
    const ttlMs = Math.max(1, options?.ttl ?? this.o.defaultTtlSeconds) * 1000;
    await this.redis.set(this.prefix + key, value, 'PX', ttlMs).catch(() => undefined);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key).catch(() => 0)) > 0;
  }

  size(): number {
    return -1;
  }
}

export function createApqStore(redis: Redis | undefined, options: ApqStoreOptions): ApqStore {
  return redis ? new RedisApqStore(redis, options) : new MemoryApqStore(options);
}
