// The webhook inbox (Query.webhookEvents): ops:read (operators, admins, services granted it), like
// the connectors' state. Payloads only redacted (payloadJson); replaying needs ops:write (Mutation.ts).
import type { WebhookEvent as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const WebhookEvent: TypePolicy<Fields> = {
  id: read,
  provider: read,
  eventId: read,
  type: read,
  status: read,
  attempts: read,
  receivedAt: read,
  processedAt: read,
  lastError: read,
  // Redacted as the audit trail redacts (PII masked): an operator's view of what came in, not the data itself.
  payloadJson: read,
};
