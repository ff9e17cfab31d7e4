// What a webhook record of the audit trail is about (see AuditEvent).
import type { AuditWebhook as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('audit:read', 'deny');

export const AuditWebhook: TypePolicy<Fields> = {
  provider: read,
  eventId: read,
  type: read,
  status: read,
  attempts: read,
  reason: read,
};
