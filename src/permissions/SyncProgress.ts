// Where a sync run stands (see SyncRun).
import type { SyncProgress as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const SyncProgress: TypePolicy<Fields> = {
  phase: read,
  done: read,
  total: read,
};
