// The audit trail: Query.auditEvents pages through the store's audit_events, newest first;
// an AuditEvent resolves from the stored record (the chain covers exactly that record).
import type { AuditEventResolvers, AuditKind, AuditOutcome, QueryAuditEventsArgs } from '../src/generated/graphql.ts';
import type { Context } from '../src/context.ts';
import type { AuditFilter, AuditRow } from '../src/connectors/store/index.ts';
import { checkFirst, checkRange, checkText } from '../src/validation.ts';
import { lazyPageInfo } from '../src/connectors/store/index.ts';

const lower = <T extends string>(value: T | null | undefined) => (value ? (value.toLowerCase() as Lowercase<T>) : null);

export async function auditEvents(_parent: unknown, args: QueryAuditEventsArgs, ctx: Context) {
  const first = checkFirst('first', args.first, 20);
  const f = args.filter ?? {};
  const filter: AuditFilter = {
    principalId: checkText('filter.principalId', f.principalId, 200),
    operationName: checkText('filter.operationName', f.operationName, 200),
    connector: checkText('filter.connector', f.connector, 50),
    outcome: lower(f.outcome),
    kind: lower(f.kind),
    ...checkRange('filter', f.from, f.to),
  };
  const { edges, totalCount, hasNextPage } = await ctx.connectors.store.audit.list(filter, first, args.after);
  return { edges, totalCount, pageInfo: lazyPageInfo(hasNextPage, edges) };
}

const variables = (r: AuditRow) => {
  const v = r.record.variables;
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
};

export const AuditEvent: AuditEventResolvers = {
  id: (r) => r.record.id,
  seq: (r) => String(r.seq),
  kind: (r) => r.record.kind.toUpperCase() as AuditKind,
  at: (r) => r.record.at,
  requestId: (r) => r.record.requestId,
  principalId: (r) => r.record.principal?.id ?? null,
  principalRole: (r) => r.record.principal?.role ?? null,
  principalVia: (r) => r.record.principal?.via ?? null,
  apiKeyId: (r) => r.record.principal?.keyId ?? null,
  clientName: (r) => r.record.client.name,
  clientVersion: (r) => r.record.client.version,
  operationType: (r) => r.record.operation.type,
  operationName: (r) => r.record.operation.name,
  operationHash: (r) => r.record.operation.hash,
  outcome: (r) => r.record.outcome.toUpperCase() as AuditOutcome,
  variables,
  calls: (r) => r.record.calls,
  ai: (r) => r.record.ai,
  errorCodes: (r) => r.record.errors.map((e) => e.code),
  durationMs: (r) => r.record.durationMs,
  httpStatus: (r) => r.record.http?.status ?? null,
  alert: (r) => r.record.alert,
  webhook: (r) => r.record.webhook ?? null,
  hash: (r) => r.hash,
  prevHash: (r) => r.prevHash,
};
