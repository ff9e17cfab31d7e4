// Requests to /graphql that Apollo's plugins never saw still get an audit record: malformed
// JSON, a body over the limit, a wrong content type (refused by Fastify), and a credential the
// context function rejected (Apollo answers those without running plugin hooks). The audit
// plugin marks every response it recorded with a header; onSend removes the mark, and a
// refusal (status >= 400) without it is recorded here. The mark travels with the response
// itself, so no per-request state is kept and duplicate request ids cannot confuse it.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditRecord } from '../../connectors/store/index.ts';
import { httpOutcome, operationOutcome, summarizeErrors, type ErrorSummary } from '../../ops/outcome.ts';
import type { Redactor } from './redact.ts';
import { clientLabel } from './record.ts';
import type { AuditSink } from './writer.ts';

export const AUDITED_HEADER = 'x-switchyard-audited';

export interface HttpRefusal {
  status: number;
  errors: ErrorSummary[];
}

function errorsOf(payload: unknown): ErrorSummary[] {
  if (typeof payload !== 'string' || payload.length > 65_536) return [];
  try {
    return summarizeErrors((JSON.parse(payload) as { errors?: [] }).errors);
  } catch {
    return [];
  }
}

/** What a refusal record is made of: the request as far as it was read, and how it was refused. */
interface Refused {
  requestId: string;
  headers: FastifyRequest['headers'];
  /** The GraphQL request's fields, when any were read (a JSON body, a WebSocket subscribe message). */
  body: Record<string, unknown>;
  elapsedMs: number;
  errors: ErrorSummary[];
  outcome: AuditRecord['outcome'];
  /** Over HTTP; null, with transport 'websocket', for a socket. */
  http: AuditRecord['http'];
}

function refusalRecord(r: Refused, redact: Redactor): AuditRecord {
  const header = (name: string) => clientLabel(typeof r.headers[name] === 'string' ? (r.headers[name] as string) : null);
  return {
    v: 1,
    id: randomUUID(),
    kind: 'request',
    at: new Date(Date.now() - r.elapsedMs).toISOString(),
    requestId: r.requestId,
    principal: null,
    client: { name: header('apollographql-client-name'), version: header('apollographql-client-version') },
    operation: {
      type: null,
      name: clientLabel(typeof r.body.operationName === 'string' ? r.body.operationName : null),
      hash: typeof r.body.query === 'string' ? createHash('sha256').update(r.body.query).digest('hex') : null,
    },
    outcome: r.outcome,
    variables: redact(r.body.variables),
    calls: [],
    ai: [],
    errors: r.errors,
    durationMs: Math.round(r.elapsedMs * 10) / 10,
    http: r.http,
    alert: null,
    ...(r.http ? {} : { transport: 'websocket' as const }),
  };
}

function requestRecord(request: FastifyRequest, status: number, elapsedMs: number, errors: ErrorSummary[], redact: Redactor): AuditRecord {
  const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
  return refusalRecord(
    { requestId: request.id, headers: request.headers, body, elapsedMs, errors, outcome: httpOutcome(status), http: { method: request.method, status } },
    redact,
  );
}

/**
 * A WebSocket's credential refused (at connection_init, or when an operation re-checks it): no
 * GraphQL ran, as for an HTTP request refused for its credential. `operation`: the subscribe
 * message's payload, when an operation was refused.
 */
export function socketRefusalRecord(
  refused: { requestId: string; headers: FastifyRequest['headers']; operation?: Record<string, unknown>; elapsedMs: number; errors: ErrorSummary[] },
  redact: Redactor,
): AuditRecord {
  return refusalRecord({ ...refused, body: refused.operation ?? {}, outcome: operationOutcome(false, false, refused.errors), http: null }, redact);
}

export interface HttpRefusalOptions {
  sink: AuditSink;
  redact: Redactor;
  onRefusal?: (r: HttpRefusal) => void;
  /** Puts the record in the request's own log line; false when it cannot (the writer logs it then). */
  fold?: (request: FastifyRequest, record: AuditRecord) => boolean;
}

export function auditHttpRefusals(app: FastifyInstance, opts: HttpRefusalOptions): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url !== '/graphql') return payload;
    if (reply.hasHeader(AUDITED_HEADER)) {
      reply.removeHeader(AUDITED_HEADER);
      return payload;
    }
    if (reply.statusCode < 400) return payload; // the Sandbox page, a CORS preflight
    const errors = errorsOf(payload);
    const record = requestRecord(request, reply.statusCode, reply.elapsedTime, errors, opts.redact);
    opts.sink.write(record, { logged: opts.fold?.(request, record) ?? false });
    opts.onRefusal?.({ status: reply.statusCode, errors });
    return payload;
  });
}
