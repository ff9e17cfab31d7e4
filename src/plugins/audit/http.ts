// Requests to /graphql that Apollo's plugins never saw still get an audit record: malformed
// JSON, a body over the limit, a wrong content type (refused by Fastify), and a credential the
// context function rejected (Apollo answers those without running plugin hooks). The audit
// plugin marks every response it recorded with a header; onSend removes the mark, and a
// refusal (status >= 400) without it is recorded here. The mark travels with the response
// itself, so no per-request state is kept and duplicate request ids cannot confuse it.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditRecord } from '../../connectors/store/index.ts';
import { httpOutcome, summarizeErrors, type ErrorSummary } from '../../ops/outcome.ts';
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

function requestRecord(request: FastifyRequest, status: number, elapsedMs: number, errors: ErrorSummary[], redact: Redactor): AuditRecord {
  const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
  const header = (name: string) => clientLabel(typeof request.headers[name] === 'string' ? (request.headers[name] as string) : null);
  return {
    v: 1,
    id: randomUUID(),
    kind: 'request',
    at: new Date(Date.now() - elapsedMs).toISOString(),
    requestId: request.id,
    principal: null,
    client: { name: header('apollographql-client-name'), version: header('apollographql-client-version') },
    operation: {
      type: null,
      name: clientLabel(typeof body.operationName === 'string' ? body.operationName : null),
      hash: typeof body.query === 'string' ? createHash('sha256').update(body.query).digest('hex') : null,
    },
    outcome: httpOutcome(status),
    variables: redact(body.variables),
    calls: [],
    ai: [],
    errors,
    durationMs: Math.round(elapsedMs * 10) / 10,
    http: { method: request.method, status },
    alert: null,
  };
}

export function auditHttpRefusals(app: FastifyInstance, opts: { sink: AuditSink; redact: Redactor; onRefusal?: (r: HttpRefusal) => void }): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url !== '/graphql') return payload;
    if (reply.hasHeader(AUDITED_HEADER)) {
      reply.removeHeader(AUDITED_HEADER);
      return payload;
    }
    if (reply.statusCode < 400) return payload; // the Sandbox page, a CORS preflight
    const errors = errorsOf(payload);
    opts.sink.write(requestRecord(request, reply.statusCode, reply.elapsedTime, errors, opts.redact));
    opts.onRefusal?.({ status: reply.statusCode, errors });
    return payload;
  });
}
