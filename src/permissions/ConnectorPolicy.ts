// The pipeline policy in force for a connector (ConnectorStatus.policy): ops:read.
import type { ConnectorPolicy as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const ConnectorPolicy: TypePolicy<Fields> = {
  timeoutMs: read,
  maxAttempts: read,
  backoffMs: read,
  retryBudgetMs: read,
  breakerConsecutiveFailures: read,
  breakerHalfOpenAfterMs: read,
  quotaLimit: read,
  quotaWindowMs: read,
  cacheTtlSeconds: read,
};
