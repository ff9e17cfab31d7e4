// One step of a workflow run (see WorkflowRun).
import type { WorkflowStep as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const WorkflowStep: TypePolicy<Fields> = {
  name: read,
  kind: read,
  status: read,
  attempts: read,
  errorCode: read,
  errorMessage: read,
  startedAt: read,
  finishedAt: read,
  resultSummary: read,
  inputDigest: read,
};
