// An AI completion recorded in the audit trail (see AuditEvent).
import type { AuditAiCall as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('audit:read', 'deny');

export const AuditAiCall: TypePolicy<Fields> = {
  provider: read,
  model: read,
  promptTokens: read,
  completionTokens: read,
  totalTokens: read,
  costUsd: read,
};
