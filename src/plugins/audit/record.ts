// Builds the audit record of one GraphQL request from what Apollo and the operation scope know
// when the response is about to be sent.
import { createHash, randomUUID } from 'node:crypto';
import type { GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { Context } from '../../context.ts';
import type { AuditAiCall, AuditCall, AuditRecord } from '../../connectors/store/index.ts';
import type { CallEvent } from '../../pipeline/index.ts';
import { responseOutcome } from '../../ops/outcome.ts';
import type { AiUsageRecord } from '../../pipeline/scope.ts';
import type { Redactor } from './redact.ts';
import { scrubText } from './redact.ts';
import { promptPositions } from './prompts.ts';

type RequestContext = GraphQLRequestContextWillSendResponse<Context>;

/** Client-chosen header text: bounded, and scrubbed like any other client input. */
export function clientLabel(value: string | null | undefined): string | null {
  if (!value) return null;
  return scrubText(value, 128);
}

export function principalOf(ctx: Partial<Context> | undefined): AuditRecord['principal'] {
  const p = ctx?.principal;
  return p ? { id: p.id, role: p.role, via: p.via, keyId: p.keyId ?? null } : null;
}

export function operationRecord(rc: RequestContext, startedAt: Date, durationMs: number, redact: Redactor, keepAiText: boolean): AuditRecord {
  const { errors, outcome } = responseOutcome(rc.response);
  const headers = rc.request.http?.headers;
  const query = rc.request.query;
  const scope = rc.contextValue.scope;
  // Over WebSocket there is no HTTP exchange per operation: the client is the connection's, and
  // the record names its transport instead of an HTTP method and status.
  const ws = rc.contextValue.websocket;
  return {
    v: 1,
    id: randomUUID(),
    kind: 'operation',
    at: startedAt.toISOString(),
    requestId: rc.contextValue.requestId ?? null,
    principal: principalOf(rc.contextValue),
    client: ws
      ? { name: clientLabel(ws.client.name), version: clientLabel(ws.client.version) }
      : { name: clientLabel(headers?.get('apollographql-client-name')), version: clientLabel(headers?.get('apollographql-client-version')) },
    operation: {
      type: rc.operation?.operation ?? null,
      name: rc.operationName ?? clientLabel(typeof rc.request.operationName === 'string' ? rc.request.operationName : null),
      hash: rc.queryHash ?? (typeof query === 'string' ? createHash('sha256').update(query).digest('hex') : null),
    },
    outcome,
    variables: redact(
      rc.request.variables,
      rc.operation ? promptPositions(rc.schema, rc.operation, rc.queryHash) : undefined,
      rc.operation ? new Set(rc.operation.variableDefinitions?.map((d) => d.variable.name.value)) : undefined,
    ),
    calls: auditCalls(scope?.calls ?? []),
    ai: auditAi(scope?.ai ?? [], keepAiText),
    errors,
    durationMs: Math.round(durationMs * 10) / 10,
    http: ws ? null : { method: rc.request.http?.method ?? 'POST', status: rc.response.http.status ?? 200 },
    alert: null,
    ...(ws ? { transport: 'websocket' as const } : {}),
  };
}

// An answer kept in the audit is bounded like any other recorded text.
const MAX_AI_TEXT = 4_096;

/**
 * The AI calls an audit record keeps: capability, provider, model, tokens and cost. The answer's
 * text follows the prompts' policy (AUDIT_AI_PROMPTS): kept with `keep`, never otherwise.
 */
export function auditAi(calls: readonly AiUsageRecord[], keepText: boolean): AuditAiCall[] {
  return calls.map((a) => ({
    capability: a.capability,
    provider: a.provider,
    model: a.model,
    promptTokens: a.promptTokens,
    completionTokens: a.completionTokens,
    totalTokens: a.totalTokens,
    cachedTokens: a.cachedTokens,
    reasoningTokens: a.reasoningTokens,
    costUsd: a.costUsd,
    via: a.via,
    estimated: a.estimated,
    ...(keepText && a.text !== undefined ? { response: a.text.length > MAX_AI_TEXT ? `${a.text.slice(0, MAX_AI_TEXT)}…` : a.text } : {}),
  }));
}

/** The connector calls an audit record keeps of the pipeline's call events (operations and webhook processing alike). */
export function auditCalls(calls: readonly CallEvent[]): AuditCall[] {
  return calls.map((c) => ({
    connector: c.connector,
    operation: c.operation,
    attempts: c.attempts,
    outcome: c.outcome,
    latencyMs: Math.round(c.latencyMs * 10) / 10,
    cacheHit: c.cacheHit,
    stale: c.stale,
  }));
}
