// The AI response cache: for chat capabilities that opt in (AI_CONFIG `cache`, temperature 0
// only), an answer is kept under the digest of the whole request (capability, model override,
// messages, temperature, maxTokens) and given again without an upstream call, a budget charge or
// a cost. It lives in the pipeline's cache store (memory, or Redis shared by replicas).
import { createHash } from 'node:crypto';
import type { CacheStore } from '../pipeline/cache/index.ts';
import type { CompletionRecord } from '../connectors/domain/ai.ts';

export interface CacheableRequest {
  capability: string;
  model: string | null;
  messages: readonly { role: string; content: string }[];
  temperature: number | null;
  maxTokens: number | null;
}

export class AiResponseCache {
  constructor(private readonly store: CacheStore) {}

  /** One key per distinct request: every field that can change the answer is in it. */
  static key(r: CacheableRequest): string {
    const digest = createHash('sha256')
      .update(JSON.stringify([r.capability, r.model, r.temperature, r.maxTokens, r.messages.map((m) => [m.role, m.content])]))
      .digest('base64url');
    return `ai:answer:${r.capability}:${digest}`;
  }

  async get(key: string): Promise<CompletionRecord | undefined> {
    const entry = await this.store.get(key);
    if (!entry || entry.freshUntil < Date.now()) return undefined;
    return entry.value as CompletionRecord;
  }

  async set(key: string, record: CompletionRecord, ttlSeconds: number): Promise<void> {
    const ms = ttlSeconds * 1000;
    const now = Date.now();
    await this.store.set(key, { value: record, storedAt: now, freshUntil: now + ms }, ms, []);
  }
}
