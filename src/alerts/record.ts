// An alert as an audit record: the trail says when each condition fired and cleared.
import { randomUUID } from 'node:crypto';
import type { AuditRecord } from '../connectors/store/index.ts';
import type { Alert } from './monitor.ts';

export function alertRecord(alert: Alert): AuditRecord {
  return {
    v: 1,
    id: randomUUID(),
    kind: 'alert',
    at: alert.at,
    requestId: null,
    principal: null,
    client: { name: null, version: null },
    operation: { type: null, name: null, hash: null },
    outcome: alert.state,
    variables: null,
    calls: [],
    ai: [],
    errors: [],
    durationMs: null,
    http: null,
    alert: { condition: alert.condition, connector: alert.connector, operation: alert.operation, state: alert.state, message: alert.message },
  };
}
