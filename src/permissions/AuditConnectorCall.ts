// A connector call recorded in the audit trail (see AuditEvent).
import type { AuditConnectorCall as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('audit:read', 'deny');

export const AuditConnectorCall: TypePolicy<Fields> = {
  connector: read,
  operation: read,
  attempts: read,
  outcome: read,
  latencyMs: read,
  cacheHit: read,
  stale: read,
};
