// The operation a pipeline call belongs to. The server runs each GraphQL request inside
// `runInScope`, so every connector call made while resolving it (in resolvers, in DataLoader
// batches, in workflows) is recorded on that request without threading it through every
// connector method. AsyncLocalStorage carries it across awaits.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallEvent } from './events.ts';

export interface StaleRead {
  connector: string;
  operation: string;
  /** How old the served value is, in ms. */
  ageMs: number;
}

/** One AI call made for the operation (a completion, a stream or embeddings): who answered, its tokens and cost. */
export interface AiUsageRecord {
  capability: string;
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** USD from the price table; null when the model has no price there. */
  costUsd: number | null;
  /** How it was answered: a call, a stream, or the AI response cache (no upstream call, no cost). */
  via: 'call' | 'stream' | 'cache';
  /** The tokens were estimated: a stream cut before the provider reported its usage. */
  estimated: boolean;
  /** The answer's text (the audit keeps it only where AUDIT_AI_PROMPTS=keep). */
  text?: string;
}

export interface OperationScope {
  requestId: string;
  /** Who the operation runs for, once authenticated: the outbound quota shares providers between principals. */
  principalId?: string;
  /** Every pipeline call made on behalf of this operation, in completion order. */
  calls: CallEvent[];
  /** Reads answered from an expired cache entry because the upstream failed. */
  stale: StaleRead[];
  /** AI completions made for this operation. */
  ai: AiUsageRecord[];
  /** Aborted when the client goes away: pending upstream calls and retries stop. */
  signal?: AbortSignal;
  /**
   * Background work no client waits on (a sync run, a workflow run): how long one of its calls may
   * wait for outbound quota, where a policy's quotaWaitMs (a few seconds) is sized for a client.
   * A listing of thousands of pages paces itself to the provider's window this way instead of
   * failing on the first full one.
   */
  quotaWaitMs?: number;
}

/** What background work may wait for quota: past a 10 s window and a provider's Retry-After. */
const BACKGROUND_QUOTA_WAIT_MS = 60_000;

const storage = new AsyncLocalStorage<OperationScope>();

export function newScope(requestId: string, signal?: AbortSignal): OperationScope {
  return { requestId, calls: [], stale: [], ai: [], signal };
}

/** The scope of background work (a sync run, a workflow run): its own, whose calls may wait for quota. */
export function backgroundScope(requestId: string, signal: AbortSignal): OperationScope {
  return { ...newScope(requestId, signal), quotaWaitMs: BACKGROUND_QUOTA_WAIT_MS };
}

export function runInScope<T>(scope: OperationScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentScope(): OperationScope | undefined {
  return storage.getStore();
}
