// The audit trail page (see AuditEvent).
import type { AuditEventConnection as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('audit:read', 'deny');

export const AuditEventConnection: TypePolicy<Fields> = {
  edges: read,
  pageInfo: read,
  totalCount: read,
};
