// OpenAI's automatic prompt caching, as usage reports it: a prompt of 1024 tokens or more whose
// beginning matches an earlier prompt's (same model, same prompt_cache_key) reports that
// shared prefix as cached_tokens, in steps of 128 tokens. Entries lapse after 10 idle minutes.
import { createHash } from 'node:crypto';
import type { ChatMessage } from './text.ts';

const MIN_TOKENS = 1024;
const STEP_TOKENS = 128;
const CHARS_PER_TOKEN = 4;
const IDLE_MS = 10 * 60_000;
const MAX_ENTRIES = 100_000;

export class PrefixCache {
  private entries = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  clear(): void {
    this.entries.clear();
  }

  /** The cached part of this prompt's `promptTokens`, and this prompt's prefixes remembered. */
  cachedTokens(model: string, cacheKey: string, messages: ChatMessage[], promptTokens: number): number {
    if (promptTokens < MIN_TOKENS) return 0;
    const text = messages.map((m) => `${m.role}\u0000${m.name ?? ''}\u0000${m.content}\u0001`).join('');
    const usable = Math.min(promptTokens, Math.floor(text.length / CHARS_PER_TOKEN));
    const now = this.now();
    // One running hash, copied at each 128-token boundary: linear in the prompt's length.
    const hash = createHash('sha256').update(`${model}\u0000${cacheKey}\u0000`);
    let cached = 0;
    let fed = 0;
    for (let tokens = MIN_TOKENS; tokens <= usable; tokens += STEP_TOKENS) {
      const end = tokens * CHARS_PER_TOKEN;
      hash.update(text.slice(fed, end));
      fed = end;
      const key = hash.copy().digest('base64');
      if ((this.entries.get(key) ?? 0) > now) cached = tokens;
      this.entries.set(key, now + IDLE_MS);
    }
    if (this.entries.size > MAX_ENTRIES) this.prune(now);
    return cached;
  }

  private prune(now: number): void {
    for (const [key, expires] of this.entries) if (expires <= now) this.entries.delete(key);
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }
}
