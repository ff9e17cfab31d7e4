// An alert recorded in the audit trail (see AuditEvent).
import type { AuditAlert as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('audit:read', 'deny');

export const AuditAlert: TypePolicy<Fields> = {
  condition: read,
  connector: read,
  operation: read,
  message: read,
};
