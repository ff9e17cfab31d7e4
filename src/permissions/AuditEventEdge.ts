// An entry of the audit trail page (see AuditEvent).
import type { AuditEventEdge as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('audit:read', 'deny');

export const AuditEventEdge: TypePolicy<Fields> = {
  cursor: read,
  node: read,
};
