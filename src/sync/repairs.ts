// Repairs that cross systems go through the linkCustomer workflow (journaled, retried, audited as
// runs), never straight to an upstream from here: a repair started twice (a resumed import, two
// reconciliations) is one run, scoped by the sync run and the customer.
import { linkCustomerWorkflow } from '../workflows/index.ts';
import type { RunRecord } from '../connectors/store/index.ts';
import type { SyncDeps } from './types.ts';

export interface StartedRepair {
  customerId: string;
  runId: string;
}

/** Starts (or finds) one linkCustomer run per customer that no unfinished run is about already. */
export async function startLinkRepairs(deps: SyncDeps, syncRunId: string, customers: readonly { id: string; reason: string }[]): Promise<StartedRepair[]> {
  const busy = await deps.connectors.store.workflows.openSubjects(customers.map((c) => c.id));
  const out: StartedRepair[] = [];
  for (const c of customers) {
    if (busy.has(c.id)) continue;
    const { run } = await deps.workflows.begin(linkCustomerWorkflow.name, { customerId: c.id, reason: c.reason }, { idempotencyScope: `${syncRunId}:${c.id}` });
    out.push({ customerId: c.id, runId: run.id });
  }
  return out;
}

const SETTLED = new Set(['completed', 'compensated', 'needs_attention']);

/**
 * Waits (up to waitMs) until every run has settled; the runs as they stand then. One that has not
 * settled goes on in the background (the queue has it): the report says it is still running.
 */
export async function awaitRuns(
  deps: SyncDeps,
  runIds: readonly string[],
  waitMs: number,
  signal: AbortSignal,
  onProgress?: (settled: number) => Promise<void>,
): Promise<Map<string, RunRecord>> {
  const deadline = Date.now() + waitMs;
  const out = new Map<string, RunRecord>();
  let open = [...runIds];
  while (open.length) {
    const still: string[] = [];
    for (const id of open) {
      const run = await deps.connectors.store.workflows.get(id);
      if (run) out.set(id, run);
      if (!run || !SETTLED.has(run.status)) still.push(id);
    }
    open = still;
    await onProgress?.(runIds.length - open.length);
    if (!open.length || Date.now() >= deadline || signal.aborted) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return out;
}

/** What a settled (or not yet settled) repair run means for the drift it was to repair. */
export function repairOutcome(run: RunRecord | undefined): { status: 'fixed' | 'failed' | 'skipped'; error: string | null } {
  if (!run) return { status: 'failed', error: 'the repair run is missing' };
  if (run.status === 'completed') return { status: 'fixed', error: null };
  if (SETTLED.has(run.status)) return { status: 'failed', error: `repair run ${run.id} ${run.status}: ${run.error?.message ?? 'no reason recorded'}` };
  return { status: 'skipped', error: `repair run ${run.id} is still ${run.status}; it goes on in the background` };
}
