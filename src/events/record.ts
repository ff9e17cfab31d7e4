// Webhook audit records: every event processed (or failing), and every delivery refused.
import { randomUUID } from 'node:crypto';
import type { AuditOutcome, AuditRecord, AuditWebhook } from '../connectors/store/index.ts';
import { auditCalls } from '../plugins/audit/record.ts';
import type { CallEvent } from '../pipeline/index.ts';

export function webhookRecord(
  at: Date,
  outcome: AuditOutcome,
  webhook: AuditWebhook,
  calls: readonly CallEvent[] = [],
  durationMs: number | null = null,
): AuditRecord {
  return {
    v: 1,
    id: randomUUID(),
    kind: 'webhook',
    at: at.toISOString(),
    requestId: null,
    principal: null,
    client: { name: webhook.provider, version: null },
    operation: { type: 'webhook', name: webhook.type, hash: null },
    outcome,
    variables: null,
    calls: auditCalls(calls),
    ai: [],
    errors: [],
    durationMs,
    http: null,
    alert: null,
    webhook,
  };
}
