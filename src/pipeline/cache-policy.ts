// The outermost policy of a read: read-through cache, single-flight and stale-if-error. A fresh
// entry answers at once; otherwise one load per key runs for every caller waiting on it, and when
// it fails in a way the kinds table allows (the upstream could not answer, it did not refuse),
// an expired copy beats no answer.
import { createHash } from 'node:crypto';
import { traitsOf } from '../errors/kinds.ts';
import { UpstreamError } from '../errors/upstream.ts';
import type { CacheEntry, CacheStore } from './cache/index.ts';
import { currentScope } from './scope.ts';

export interface CachedRead {
  key: string;
  /** How long the answer stays fresh. */
  ttlMs: number;
  /** How long after that it may still answer while the upstream fails. */
  staleTtlMs: number;
  tags: readonly string[];
}

/** What the cache tells the call it answers (the call's event is one): a plain object, no callbacks, as a hit is most calls. */
export interface CacheMarks {
  readonly connector: string;
  readonly operation: string;
  cacheHit: boolean;
  /** Answered from an expired copy; the operation's scope is told how old it was. */
  stale: boolean;
}

export class CachePolicy {
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(readonly store: CacheStore) {}

  /** The key of a read: connector and operation, then its arguments (digested when long). */
  static key(connector: string, operation: string, args: string): string {
    return `${connector}:${operation}:${args.length <= 64 ? args : createHash('sha256').update(args).digest('base64url')}`;
  }

  async execute<T>(read: CachedRead, load: () => Promise<T>, marks: CacheMarks): Promise<T> {
    // An unreachable cache is a miss.
    const cached = await this.store.get(read.key).catch(() => undefined);
    if (cached && cached.freshUntil > Date.now()) {
      marks.cacheHit = true;
      return cached.value as T;
    }
    return this.singleFlight(read.key, async () => {
      try {
        const fresh = await load();
        const now = Date.now();
        const entry: CacheEntry = { value: fresh, storedAt: now, freshUntil: now + read.ttlMs };
        // Not awaited: the caller gets its answer without waiting for the cache write.
        void this.store.set(read.key, entry, read.ttlMs + read.staleTtlMs, read.tags).catch(() => undefined);
        return fresh;
      } catch (err) {
        if (!cached || !(err instanceof UpstreamError) || !traitsOf(err.kind).staleAllowed) throw err;
        marks.stale = true;
        currentScope()?.stale.push({ connector: marks.connector, operation: marks.operation, ageMs: Date.now() - cached.storedAt });
        return cached.value as T;
      }
    });
  }

  private singleFlight<T>(key: string, load: () => Promise<T>): Promise<T> {
    const pending = this.inflight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const p = load().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}
