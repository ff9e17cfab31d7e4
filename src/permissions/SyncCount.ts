// A named count of a sync run (see SyncRun).
import type { SyncCount as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const SyncCount: TypePolicy<Fields> = {
  name: read,
  value: read,
};
