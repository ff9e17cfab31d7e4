// Drift of one kind in a reconciliation (see SyncRun).
import type { DriftCount as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const DriftCount: TypePolicy<Fields> = {
  kind: read,
  count: read,
  unrepaired: read,
};
