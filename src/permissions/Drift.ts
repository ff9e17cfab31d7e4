// One drift a reconciliation found (see SyncRun).
import type { Drift as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const Drift: TypePolicy<Fields> = {
  seq: read,
  kind: read,
  system: read,
  customerId: read,
  upstreamId: read,
  detail: read,
  repair: read,
  repairStatus: read,
  repairError: read,
};
