// ConnectorStatus.policy: the connector-wide CallPolicy (src/pipeline/policies.ts) in the graph's words.
import type { ConnectorPolicyResolvers } from '../src/generated/graphql.ts';

export const ConnectorPolicy: ConnectorPolicyResolvers = {
  timeoutMs: (p) => p.timeoutMs,
  maxAttempts: (p) => p.maxAttempts,
  backoffMs: (p) => p.backoffMs,
  retryBudgetMs: (p) => p.retryBudgetMs,
  breakerConsecutiveFailures: (p) => p.breaker.consecutiveFailures,
  breakerHalfOpenAfterMs: (p) => p.breaker.halfOpenAfterMs,
  quotaLimit: (p) => p.quota.points,
  quotaWindowMs: (p) => p.quota.durationMs,
  // A TTL below a second still caches: it reads as 1 rather than as "not cached".
  cacheTtlSeconds: (p) => (p.cacheTtlMs > 0 ? Math.max(1, Math.round(p.cacheTtlMs / 1000)) : null),
};
