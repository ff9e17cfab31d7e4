// The audit trail: admins (and services granted audit:read) only; it names principals and keeps
// operations' variables, so not even the operator role reads it.
import type { AuditEvent as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('audit:read', 'deny');

export const AuditEvent: TypePolicy<Fields> = {
  id: read,
  seq: read,
  kind: read,
  at: read,
  requestId: read,
  principalId: read,
  principalRole: read,
  principalVia: read,
  apiKeyId: read,
  clientName: read,
  clientVersion: read,
  operationType: read,
  operationName: read,
  operationHash: read,
  outcome: read,
  variables: read,
  calls: read,
  ai: read,
  errorCodes: read,
  durationMs: read,
  httpStatus: read,
  alert: read,
  webhook: read,
  hash: read,
  prevHash: read,
};
