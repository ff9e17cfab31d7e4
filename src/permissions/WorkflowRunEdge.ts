// An edge of a page of workflow runs (see WorkflowRun).
import type { WorkflowRunEdge as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const WorkflowRunEdge: TypePolicy<Fields> = {
  cursor: read,
  node: read,
};
