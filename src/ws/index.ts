// GraphQL over WebSocket at /graphql (the graphql-transport-ws protocol of graphql-ws), beside
// HTTP on the same route: GET with `Upgrade: websocket` comes here, every other request goes to
// Apollo's HTTP handler as before. What HTTP guarantees holds per operation (operation.ts,
// plugin.ts); this file is the socket:
//   - authentication at connection_init (credentials.ts): a bad credential closes the socket
//     with 4403 and the reason, none is anonymous. The same credential is checked again at every
//     `subscribe`, as HTTP checks it at every request, so a revoked key or an expired JWT stops
//     working at the next operation (the socket is then closed with 4403). A subscription
//     already running is not cut off by a later revocation: it ends with its stream or socket.
//   - limits: a message over BODY_LIMIT_BYTES closes the socket (1009, by ws); no
//     connection_init in time closes it (4408); at most WS_MAX_OPERATIONS operations run at
//     once, the next is refused with OPERATION_LIMIT_EXCEEDED (limit: operations); pings keep
//     it alive and drop a peer that stops answering them.
//   - `complete` from the client, or the socket closing, aborts the operation's signal.
//   - server close: every socket is closed with 1001 (going away), then the operations it cut
//     short are awaited (bounded), so their audit records are written before the trail closes.
// The adapter graphql-ws ships for @fastify/websocket is its own "starter" (its words); this is it
// with the abort, the operation cap and the shutdown above.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyWebsocket, { type WebSocket } from '@fastify/websocket';
import { CloseCode, makeServer, type SubscribePayload } from 'graphql-ws';
import type { ExecutionArgs, FormattedExecutionResult, GraphQLError as GraphQLErrorType, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { GraphQLError, parse } from './graphql.ts';
import type { Authenticate } from '../auth/resolve.ts';
import type { Principal } from '../auth/principal.ts';
import type { WebSocketConfig } from '../config/websocket.ts';
import { ErrorCode, limitExceeded } from '../errors/index.ts';
import { socketRefusalRecord, type AuditSink, type Redactor } from '../plugins/audit/index.ts';
import { clientHeaders, credentialHeaders } from './credentials.ts';
import type { Formatter } from './format.ts';
import { webSocketMetrics } from './metrics.ts';
import { formattedEvents, runOperation, type Answer, type OperationDeps } from './operation.ts';
import { openSocket, type Extra, type Socket } from './socket.ts';

export { webSocketPlugin } from './plugin.ts';
export { createFormatter, type FormatError, type Formatter } from './format.ts';

export interface WebSocketOptions extends Omit<OperationDeps, 'formatResult'> {
  config: WebSocketConfig;
  /** The server's formatError, for results and for errors that did not pass Apollo. */
  format: Formatter;
  /** The largest message (BODY_LIMIT_BYTES). */
  maxMessageBytes: number;
  authenticate: Authenticate;
  schema: GraphQLSchema;
  documentSizeRefusal(query: unknown): GraphQLErrorType | undefined;
  registry: import('prom-client').Registry;
  /** How long server close waits for the operations it cut short. */
  closeGraceMs: number;
  /** Where a refused credential is recorded (operations are audited by the audit plugin). */
  audit: { sink: AuditSink; redact: Redactor };
}

// graphql-ws only reads the document to choose execute or subscribe and hands the choice to the
// two functions below, which both return what Apollo already answered: the real document was
// parsed and validated by Apollo.
const ANSWERED = parse('{ __typename }');
const answered = (args: ExecutionArgs) => (args.contextValue as { value: FormattedExecutionResult | AsyncIterable<FormattedExecutionResult> }).value as never;

// Errors refused before execution go out as graphql-ws `error` messages, which it builds from
// GraphQLError instances: each carries the formatted error Apollo made, sent unchanged.
const FORMATTED = new WeakMap<GraphQLErrorType, GraphQLFormattedError>();
function carrying(formatted: GraphQLFormattedError): GraphQLErrorType {
  const error = new GraphQLError(formatted.message, { extensions: formatted.extensions });
  FORMATTED.set(error, formatted);
  return error;
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** A WebSocket close reason is at most 123 bytes. */
function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= 123) return text;
  let out = text;
  while (Buffer.byteLength(out) > 120) out = out.slice(0, -1);
  return `${out}…`;
}

function isUnauthenticated(err: unknown): err is GraphQLErrorType {
  return (err as GraphQLErrorType | undefined)?.extensions?.code === ErrorCode.UNAUTHENTICATED;
}

/** The client's address is past AUTH_FAILURE_LIMIT (src/auth/failures.ts): its credentials are not checked for now. */
function isLimited(err: unknown): err is GraphQLErrorType {
  return (err as GraphQLErrorType | undefined)?.extensions?.code === ErrorCode.RATE_LIMITED;
}

/** Registers @fastify/websocket on the app (before the routes) and returns /graphql's wsHandler. */
export async function registerWebSocket(app: FastifyInstance, opts: WebSocketOptions) {
  const metrics = webSocketMetrics(opts.registry);
  const deps: OperationDeps = { ...opts, formatResult: opts.format.result };
  const inflight = new Set<Promise<unknown>>();

  /**
   * A credential refused at connection_init, or no longer accepted at an operation, ends the
   * socket, and is audited as HTTP audits a request refused for its credential. One that cannot
   * be checked right now (the identity provider's keys are unreachable) is our problem, not the
   * caller's: at connection_init the socket is closed with 1013 (try again later); at an
   * operation only that operation is refused (UPSTREAM_UNAVAILABLE, as HTTP's 503).
   * Returns the error the operation gets.
   */
  const refuse = (ctx: { socket: WebSocket; state: Socket }, err: unknown, started: number, op?: { requestId: string; payload: SubscribePayload }) => {
    const { socket, state } = ctx;
    const denied = isUnauthenticated(err);
    const limited = isLimited(err);
    const code = denied ? ErrorCode.UNAUTHENTICATED : limited ? ErrorCode.RATE_LIMITED : ErrorCode.UPSTREAM_UNAVAILABLE;
    const record = socketRefusalRecord(
      {
        requestId: op?.requestId ?? state.request.id,
        headers: state.request.headers,
        ...(op ? { operation: { ...op.payload } } : {}),
        elapsedMs: performance.now() - started,
        errors: [{ code, path: null }],
      },
      opts.audit.redact,
    );
    opts.audit.sink.write(record);
    if (denied) {
      metrics.refusedConnections.inc({ reason: 'credential' });
      socket.close(CloseCode.Forbidden, closeReason(err.message));
      return carrying({ message: err.message, extensions: { code } });
    }
    if (limited) {
      // Try Again Later: the socket may come back once the address's window is over.
      metrics.refusedConnections.inc({ reason: 'credential' });
      socket.close(1013, closeReason(err.message));
      return carrying({ message: err.message, extensions: { code, retryAfterMs: err.extensions.retryAfterMs } });
    }
    state.log.warn({ err }, 'websocket: the credential could not be checked');
    const message = 'The credential cannot be checked right now; try again shortly';
    if (!op) {
      metrics.refusedConnections.inc({ reason: 'unavailable' });
      socket.close(1013, message);
    }
    return carrying({ message, extensions: { code } });
  };

  const server = makeServer<Record<string, unknown>, Extra>({
    schema: opts.schema,
    connectionInitWaitTimeout: opts.config.connectionInitTimeoutMs,
    async onConnect(ctx) {
      const { state } = ctx.extra;
      const started = performance.now();
      try {
        state.credentials = credentialHeaders(ctx.connectionParams, state.request.headers);
        state.client = clientHeaders(ctx.connectionParams, state.request.headers);
        state.principal = await opts.authenticate(state.credentials, state.log, state.request.ip);
        return true;
      } catch (err) {
        refuse(ctx.extra, err, started);
        return false; // graphql-ws's own close (4403 "Forbidden") finds the socket closing already
      }
    },
    async onSubscribe(ctx, id, payload) {
      const { state } = ctx.extra;
      const requestId = `${state.request.id}:${SAFE_ID.test(id) ? id : ++state.count}`;
      const started = performance.now();
      let principal: Principal;
      try {
        // Re-checked for revocation only: a socket accepted at connection_init is not refused for its address's later refusals.
        principal = await opts.authenticate(state.credentials, state.log);
      } catch (err) {
        return [refuse(ctx.extra, err, started, { requestId, payload })];
      }
      const cap = opts.config.maxOperations;
      const refusal = state.running.size >= cap ? limitExceeded('operations', cap, state.running.size + 1) : opts.documentSizeRefusal(payload.query);
      const abort = new AbortController();
      state.running.set(id, abort);
      const release = () => {
        if (state.running.get(id) === abort) state.running.delete(id);
      };
      const run = runOperation(deps, {
        requestId,
        payload,
        principal,
        signal: abort.signal,
        ...(refusal ? { refusal } : {}),
        headers: state.request.headers,
        clientIp: state.request.ip,
        client: state.client,
        logger: state.log.child({ operationId: requestId }),
      });
      inflight.add(run);
      let answer: Answer;
      try {
        const ran = await run;
        answer = ran.answer;
        metrics.operations.inc({ operation_type: ran.operationType, outcome: abort.signal.aborted ? 'cancelled' : ran.outcome });
      } catch (err) {
        release();
        throw err;
      } finally {
        inflight.delete(run);
      }
      if (answer.kind !== 'stream' || abort.signal.aborted) release();
      if (answer.kind === 'errors') return answer.errors.map(carrying);
      if (answer.kind === 'result') return { schema: opts.schema, document: ANSWERED, contextValue: { value: answer.result } };
      const value = formattedEvents(answer.stream, opts.format.result, () => {
        release();
        abort.abort(); // the subscription is over: whatever it still has in flight stops
      });
      // Completed (or its socket closed) while Apollo was still working on it: never started.
      if (abort.signal.aborted) void value.return(undefined);
      return { schema: opts.schema, document: ANSWERED, contextValue: { value } };
    },
    execute: answered,
    subscribe: answered,
    // Already formatted (by Apollo, or by formattedEvents): sent as they are.
    onNext: (_ctx, _id, _payload, _args, result) => result as FormattedExecutionResult,
    // Apollo's refusals as they are; anything else (a subscription's source failing mid-stream)
    // through formatError, which masks what is not ours.
    onError: (_ctx, _id, _payload, errors) => errors.map((e) => FORMATTED.get(e) ?? opts.format.errors([e])[0]!),
  });

  await app.register(fastifyWebsocket, {
    options: { maxPayload: opts.maxMessageBytes },
    // Instead of the plugin's default (close() without a code), so clients see "going away".
    async preClose(this: FastifyInstance) {
      for (const client of this.websocketServer.clients) client.close(1001, 'Server shutting down');
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise((resolve) => (timer = setTimeout(resolve, opts.closeGraceMs)));
      await Promise.race([Promise.allSettled([...inflight]), grace]);
      clearTimeout(timer);
      // A peer that has not answered the close handshake by now is not going to.
      for (const client of this.websocketServer.clients) client.terminate();
      this.websocketServer.close();
    },
  });

  return function handler(this: FastifyInstance, socket: WebSocket, request: FastifyRequest) {
    metrics.connections.inc();
    openSocket(server, socket, request, opts.config.keepAliveMs, () => metrics.connections.dec());
  };
}
