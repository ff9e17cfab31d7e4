// Prompt caching as the API bills it: a block marked `cache_control` makes the prompt up to it
// a cache entry (written at a premium, read cheaply for its TTL, each read refreshing it).
// Only prefixes of at least `minTokens` are cached, as with the real models.
import { createHash } from 'node:crypto';
import type { CacheTtl, PromptBlock } from './request.ts';

export interface CacheUsage {
  inputTokens: number;
  cacheRead: number;
  cacheCreation: number;
  creation5m: number;
  creation1h: number;
}

const TTL_MS: Record<CacheTtl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };
const MAX_ENTRIES = 100_000;

export class PromptCache {
  private entries = new Map<string, number>();

  constructor(
    private readonly minTokens: number,
    private readonly now: () => number = Date.now,
  ) {}

  clear(): void {
    this.entries.clear();
  }

  /** Splits the prompt's tokens into uncached input, cache reads and cache writes, and records the writes. */
  apply(model: string, blocks: PromptBlock[]): CacheUsage {
    const total = blocks.reduce((s, b) => s + b.tokens, 0);
    const now = this.now();
    const hash = createHash('sha256').update(model);
    const points: Array<{ key: string; tokens: number; ttl: CacheTtl }> = [];
    let prefix = 0;
    for (const block of blocks) {
      prefix += block.tokens;
      hash.update('\u0000').update(block.fp);
      if (block.breakpoint && prefix >= this.minTokens) points.push({ key: hash.copy().digest('hex'), tokens: prefix, ttl: block.breakpoint });
    }
    const none = { inputTokens: total, cacheRead: 0, cacheCreation: 0, creation5m: 0, creation1h: 0 };
    const last = points.at(-1);
    if (!last) return none;

    const live = (key: string): boolean => (this.entries.get(key) ?? 0) > now;
    const read = Math.max(0, ...points.filter((p) => live(p.key)).map((p) => p.tokens));
    const creation = last.tokens - read;
    for (const p of points) this.entries.set(p.key, Math.max(this.entries.get(p.key) ?? 0, now + TTL_MS[p.ttl]));
    if (this.entries.size > MAX_ENTRIES) for (const [key, expires] of this.entries) if (expires <= now) this.entries.delete(key);
    return {
      inputTokens: total - last.tokens,
      cacheRead: read,
      cacheCreation: creation,
      creation5m: last.ttl === '5m' ? creation : 0,
      creation1h: last.ttl === '1h' ? creation : 0,
    };
  }
}
