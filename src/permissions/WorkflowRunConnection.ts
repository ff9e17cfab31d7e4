// A page of workflow runs (see WorkflowRun).
import type { WorkflowRunConnection as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const WorkflowRunConnection: TypePolicy<Fields> = {
  edges: read,
  pageInfo: read,
  totalCount: read,
};
