// One stage of Query.customersByLifecycleStage (see Query): counts, no customer in them.
import type { LifecycleStageCount as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const LifecycleStageCount: TypePolicy<Fields> = {
  hasCrmContact: read,
  stage: read,
  customers: read,
};
