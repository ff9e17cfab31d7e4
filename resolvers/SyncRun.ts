// Import and reconciliation in the graph: Mutation.runReconciliation / runImport start a run (or
// join the open one) on the queue and answer it as it stands; Query.reconciliation and syncRuns
// read it back with its progress, counts and drift (ops:read).
import type { MutationResolvers, QueryResolvers, RepairStatus, SyncRunKind, SyncRunResolvers, SyncRunStatus } from '../src/generated/graphql.ts';
import type { Context } from '../src/context.ts';
import type { SyncService } from '../src/sync/index.ts';
import type { SyncKind } from '../src/connectors/store/index.ts';
import { ErrorCode, badInput, codedError } from '../src/errors/index.ts';
import { checkFirst, checkText } from '../src/validation.ts';

const SYNC_ID = /^sync_[0-9a-f]{24}$/;
const RUN_ID = /^wfr_[0-9a-f]{24}$/;

function syncOf(ctx: Context): SyncService {
  if (!ctx.services.sync) throw codedError(ErrorCode.UPSTREAM_UNAVAILABLE, 'This server runs no import or reconciliation', { reason: 'no_sync' });
  return ctx.services.sync;
}

export const syncQueries: Pick<QueryResolvers, 'reconciliation' | 'syncRuns'> = {
  reconciliation: async (_p, { id }, ctx) => {
    if (id != null && !SYNC_ID.test(id)) throw badInput('id', 'id is not a valid reconciliation id (expected sync_…)');
    const run = id ? await ctx.connectors.store.sync.get(id) : ((await ctx.connectors.store.sync.list('reconcile', 1))[0] ?? null);
    return run && run.kind === 'reconcile' ? run : null;
  },
  syncRuns: (_p, { kind, first }, ctx) => ctx.connectors.store.sync.list(kind ? (kind.toLowerCase() as SyncKind) : null, checkFirst('first', first, 20)),
};

export const syncMutations: Pick<MutationResolvers, 'runReconciliation' | 'runImport' | 'retryWorkflowRun'> = {
  runReconciliation: async (_p, { fix, deleteStrays }, ctx) => {
    if (deleteStrays && !fix) throw badInput('deleteStrays', 'deleteStrays deletes only as a repair: it needs fix: true');
    return (await syncOf(ctx).start('reconcile', { fix: !!fix, deleteStrays: !!deleteStrays }, ctx.principal.id)).run;
  },
  runImport: async (_p, _args, ctx) => (await syncOf(ctx).start('import', {}, ctx.principal.id)).run,
  retryWorkflowRun: async (_p, { id }, ctx) => {
    if (!RUN_ID.test(id)) throw badInput('id', 'id is not a valid workflow run id (expected wfr_…)');
    const { workflows } = ctx.services;
    if (!workflows) throw codedError(ErrorCode.UPSTREAM_UNAVAILABLE, 'This server runs no workflows', { reason: 'no_workflows' });
    const run = await ctx.connectors.store.workflows.get(id);
    if (!run) throw codedError(ErrorCode.NOT_FOUND, `No workflow run ${id}`, { field: 'id' });
    if (run.status !== 'needs_attention')
      throw codedError(ErrorCode.CONFLICT, `Workflow run ${id} is ${run.status}, not waiting for a person`, { field: 'id' });
    if (!(await workflows.retryNow(id))) throw codedError(ErrorCode.CONFLICT, `Workflow run ${id} is being executed right now`, { field: 'id' });
    return (await ctx.connectors.store.workflows.get(id)) ?? run;
  },
};

export const SyncRun: SyncRunResolvers = {
  kind: (r) => r.kind.toUpperCase() as SyncRunKind,
  status: (r) => r.status.toUpperCase() as SyncRunStatus,
  fix: (r) => r.options.fix === true,
  deleteStrays: (r) => r.options.deleteStrays === true,
  progress: (r) => ({ phase: r.progress.phase ?? r.phase, done: r.progress.done ?? 0, total: r.progress.total ?? null }),
  counts: (r) => Object.entries(r.counts).map(([name, value]) => ({ name, value })),
  driftCounts: (r, _a, ctx) => (r.kind === 'reconcile' ? ctx.connectors.store.sync.driftCounts(r.id) : []),
  drift: async (r, { kind, first, after }, ctx) => {
    if (after != null && after < 0) throw badInput('after', 'after is the seq of a drift, 0 or more');
    // Drift is read in bulk (a console lists it, a script dumps it): pages of up to 1000.
    const limit = first ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badInput('first', 'first must be between 1 and 1000');
    const rows = await ctx.connectors.store.sync.drift(r.id, { afterSeq: after ?? 0, limit, kind: checkText('kind', kind, 64) });
    return rows.map((d) => ({ ...d, repairStatus: d.repairStatus ? (d.repairStatus.toUpperCase() as RepairStatus) : null }));
  },
};
