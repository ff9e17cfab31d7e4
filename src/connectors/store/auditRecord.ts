// The shape of one audit record, as the audit plugin makes it and the audit_events table keeps it
// (whole, in `record`). Plain JSON on purpose: its canonical form is what the hash chain covers.
export type AuditKind = 'operation' | 'request' | 'alert' | 'webhook';

/**
 * ok, partial (data with errors), error (no data); refused before execution: denied
 * (UNAUTHENTICATED, FORBIDDEN), invalid (parse, validation, bad request), limited (operation
 * limits, rate limits, body size). Alert records are firing or resolved.
 */
export type AuditOutcome = 'ok' | 'partial' | 'error' | 'denied' | 'invalid' | 'limited' | 'firing' | 'resolved';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['ok', 'partial', 'error', 'denied', 'invalid', 'limited', 'firing', 'resolved'];

export interface AuditCall {
  connector: string;
  operation: string;
  attempts: number;
  outcome: string;
  latencyMs: number;
  cacheHit: boolean;
  stale: boolean;
}

export interface AuditAiCall {
  /** The capability asked for (absent on records written before capabilities). */
  capability?: string;
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedTokens?: number;
  reasoningTokens?: number;
  /** USD from the price table; null when the model has no price there. */
  costUsd: number | null;
  /** call, stream or cache (a cached answer made no upstream call). */
  via?: string;
  /** True when a cut stream's tokens were estimated. */
  estimated?: boolean;
  /** The answer's text, only with AUDIT_AI_PROMPTS=keep (bounded). */
  response?: string;
}

export interface AuditAlert {
  /** circuit, upstream_auth, contract, error_rate, webhook_dead, workflow_attention, ai_budget, ai_budget_spent, reconciliation_drift (src/alerts/monitor.ts) */
  condition: string;
  connector: string;
  operation: string | null;
  state: 'firing' | 'resolved';
  message: string;
}

export interface AuditRecord {
  v: 1;
  id: string;
  kind: AuditKind;
  /** When the operation started (ISO-8601). */
  at: string;
  requestId: string | null;
  principal: { id: string; role: string; via: string; keyId: string | null } | null;
  client: { name: string | null; version: string | null };
  operation: { type: string | null; name: string | null; hash: string | null };
  outcome: AuditOutcome;
  /** As redacted by the audit policy; null when the request had none. */
  variables: unknown;
  calls: AuditCall[];
  ai: AuditAiCall[];
  errors: { code: string; path: string | null }[];
  durationMs: number | null;
  http: { method: string; status: number } | null;
  alert: AuditAlert | null;
  /** 'websocket' on operations that came over GraphQL over WebSocket (http is then null); absent over HTTP, so those hashes stay as they were. */
  transport?: 'websocket';
  /** Webhook records only (an event processed, or a delivery refused); absent on the others, so their hashes stay as they were. */
  webhook?: AuditWebhook;
}

export interface AuditWebhook {
  /** The connector instance it came to. */
  provider: string;
  /** Null for a refused delivery (nothing in it was trusted). */
  eventId: string | null;
  type: string | null;
  /** processed, failed, dead, or refused (bad signature, stale, malformed). */
  status: string;
  attempts: number;
  reason?: string;
}

/** The indexed columns of a record: always derived from it, and checked against it by verify. */
export function auditColumns(r: AuditRecord) {
  const connectors = new Set(r.calls.map((c) => c.connector));
  if (r.alert) connectors.add(r.alert.connector);
  if (r.webhook) connectors.add(r.webhook.provider);
  return {
    occurredAt: r.at,
    kind: r.kind,
    requestId: r.requestId,
    principalId: r.principal?.id ?? null,
    operationName: r.operation.name,
    operationType: r.operation.type,
    outcome: r.outcome,
    connectors: [...connectors].sort(),
  };
}
