// The workflow journal (Query.workflowRuns, Query.workflowRun): ops:read, like the webhook inbox.
// A run's input (an email, a name) is not in the graph; its subject is an id.
import type { WorkflowRun as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const WorkflowRun: TypePolicy<Fields> = {
  id: read,
  workflow: read,
  status: read,
  subject: read,
  attempts: read,
  errorCode: read,
  errorMessage: read,
  createdAt: read,
  updatedAt: read,
  finishedAt: read,
  steps: read,
};
