// Callers waiting for a run (createCustomer's mutation): woken by the changes this process makes
// to it, or at the next look every 200 ms (a change made by another replica). A waiter may lend
// its operation scope, so the connector calls the run makes in this process meanwhile are
// recorded on the waiting request too, and its audit record names the systems it reached.
import type { EventEmitter } from 'node:events';
import type { RunRecord, WorkflowStore } from '../connectors/store/index.ts';
import type { CallEvent } from '../pipeline/events.ts';
import type { OperationScope } from '../pipeline/scope.ts';

const SETTLED = new Set<RunRecord['status']>(['completed', 'compensated', 'pending', 'needs_attention']);

export const runChanged = (runId: string) => `run:${runId}`;

export class RunWaiters {
  private readonly scopes = new Map<string, Set<OperationScope>>();

  constructor(
    private readonly journal: WorkflowStore,
    private readonly emitter: EventEmitter,
  ) {}

  /** The run once it settled (finished, or waiting on a failing upstream), or as it stands after timeoutMs. */
  async wait(runId: string, timeoutMs: number, scope?: OperationScope): Promise<RunRecord | null> {
    if (!scope) return this.poll(runId, timeoutMs);
    let set = this.scopes.get(runId);
    if (!set) this.scopes.set(runId, (set = new Set()));
    set.add(scope);
    try {
      return await this.poll(runId, timeoutMs);
    } finally {
      set.delete(scope);
      if (!set.size) this.scopes.delete(runId);
    }
  }

  /** Calls the run made: recorded on every scope waiting for it. */
  forward(runId: string, events: CallEvent[]): void {
    for (const scope of this.scopes.get(runId) ?? []) scope.calls.push(...events);
  }

  private async poll(runId: string, timeoutMs: number): Promise<RunRecord | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.journal.get(runId);
      if (!run || SETTLED.has(run.status) || Date.now() >= deadline) return run;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.emitter.off(runChanged(runId), done);
          resolve();
        };
        const t = setTimeout(done, Math.min(200, Math.max(0, deadline - Date.now())));
        this.emitter.on(runChanged(runId), done);
      });
    }
  }
}
