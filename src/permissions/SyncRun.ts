// An import or reconciliation run (Query.reconciliation, Query.syncRuns, Mutation.runReconciliation): ops:read, like the
// workflow journal. Drift names customer and upstream ids, never an email or a name.
import type { SyncRun as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const SyncRun: TypePolicy<Fields> = {
  id: read,
  kind: read,
  status: read,
  fix: read,
  deleteStrays: read,
  requestedBy: read,
  progress: read,
  counts: read,
  driftCounts: read,
  drift: read,
  error: read,
  createdAt: read,
  updatedAt: read,
  finishedAt: read,
};
