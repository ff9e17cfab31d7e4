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

/** One AI completion made for the operation: what was asked of which model, and what it cost in tokens. */
export interface AiUsageRecord {
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
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
}

const storage = new AsyncLocalStorage<OperationScope>();

export function newScope(requestId: string, signal?: AbortSignal): OperationScope {
  return { requestId, calls: [], stale: [], ai: [], signal };
}

export function runInScope<T>(scope: OperationScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentScope(): OperationScope | undefined {
  return storage.getStore();
}
