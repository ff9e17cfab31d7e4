// One log line per HTTP request, written once its answer is sent (or its client went away),
// instead of Fastify's two (`incoming request`, `request completed`): the request id, method,
// path (never the query string: requestLogSerializers), host, remote address and port, status
// and response time, and for /graphql the request's audit record, which would otherwise be a
// line of its own. Fastify's other lines (a stream error, an error on writing the head) stay.
import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AuditRecord } from '../connectors/store/index.ts';

// The record waiting for its request's line; null once the line is written.
const pending = new WeakMap<FastifyRequest, AuditRecord | undefined | null>();

function writeLine(request: FastifyRequest, reply: FastifyReply | undefined, err: Error | null | undefined): void {
  const audit = pending.get(request);
  if (audit === null) return;
  pending.set(request, null);
  if (!reply) return request.log.info({ req: request, audit }, 'request aborted');
  const line = { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime, audit };
  if (err) request.log.error({ ...line, err }, 'request errored');
  else request.log.info(line, 'request completed');
}

/** Fastify's `logController`: no line when a request arrives, the one line when it is answered. */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(err: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    writeLine(request, reply, err);
  }
}

/** A client that closes the connection before its answer still gets its line, without a status. */
export function registerAbortLog(app: FastifyInstance): void {
  app.addHook('onRequestAbort', (request, done) => {
    writeLine(request, undefined, undefined);
    done();
  });
}

/** Puts the request's audit record in its log line; false when that line is written already. */
export function foldAudit(request: FastifyRequest, record: AuditRecord): boolean {
  if (pending.get(request) === null) return false;
  pending.set(request, record);
  return true;
}
