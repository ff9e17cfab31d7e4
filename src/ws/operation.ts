// One `subscribe` message of a socket, run the way server.ts runs an HTTP request: in a new
// operation scope (its signal aborted when the client completes the operation or the socket
// closes), inside the operation's trace span, with a context from createContext over the
// server's services, through Apollo's request pipeline (every plugin HTTP runs; see plugin.ts).
import type { IncomingHttpHeaders } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { ExecutionResult, FormattedExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.ts';
import type { Connectors } from '../connectors/index.ts';
import { createContext, type Context, type Services, type SubscriptionStream, type WebSocketOperation } from '../context.ts';
import type { Observability } from '../ops/observability.ts';
import { responseOutcome } from '../ops/outcome.ts';
import { newScope, runInScope } from '../pipeline/scope.ts';

export interface OperationDeps {
  apollo: ApolloServer<Context>;
  connectors: Connectors;
  services: Services;
  ops: Pick<Observability, 'aroundRequest'>;
  formatResult(result: ExecutionResult): FormattedExecutionResult;
}

export interface OperationRequest {
  requestId: string;
  payload: SubscribePayload;
  principal: Principal;
  signal: AbortSignal;
  /** Refused before parsing (plugin.ts answers it through Apollo). */
  refusal?: GraphQLError;
  /** Of the upgrade request: its trace context, its address, its logger. */
  headers: IncomingHttpHeaders;
  clientIp: string;
  client: WebSocketOperation['client'];
  logger: Logger;
}

export type Answer =
  /** Refused before execution (parse, validation, limits, rate limit, safelist): an `error` message. */
  | { kind: 'errors'; errors: readonly GraphQLFormattedError[] }
  /** A query's or mutation's result (or a refused subscription's): one `next`, then `complete`. */
  | { kind: 'result'; result: FormattedExecutionResult }
  /** An accepted subscription: its events, each resolved then sent as a `next`. */
  | { kind: 'stream'; stream: SubscriptionStream };

export interface Ran {
  answer: Answer;
  operationType: string;
  /** As the audit and the operation metrics classify it (src/ops/outcome.ts). */
  outcome: string;
}

export async function runOperation(deps: OperationDeps, op: OperationRequest): Promise<Ran> {
  const scope = newScope(op.requestId, op.signal);
  const websocket: WebSocketOperation = { client: op.client, ...(op.refusal ? { refusal: op.refusal } : {}) };
  const contextValue = createContext({
    requestId: op.requestId,
    principal: op.principal,
    logger: op.logger,
    connectors: deps.connectors,
    services: deps.services,
    signal: op.signal,
    scope,
    clientIp: op.clientIp,
    websocket,
  });
  const { query, operationName, variables, extensions } = op.payload;
  // graphql-ws requires a query string: an empty one sent with a persisted query's hash is none.
  const request = {
    ...(query ? { query } : {}),
    ...(operationName ? { operationName } : {}),
    ...(variables ? { variables } : {}),
    ...(extensions ? { extensions } : {}),
  };
  const response = await runInScope(scope, () => deps.ops.aroundRequest(op.headers, () => deps.apollo.executeOperation(request, { contextValue })));
  const operationType = websocket.operationType ?? 'unknown';
  const { outcome } = responseOutcome(response);
  if (websocket.stream) return { answer: { kind: 'stream', stream: websocket.stream }, operationType, outcome };
  // No incremental delivery is negotiated without an Accept header, so the body is a single result.
  const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
  if (result.data === undefined && result.errors?.length) return { answer: { kind: 'errors', errors: result.errors }, operationType, outcome };
  return { answer: { kind: 'result', result }, operationType, outcome };
}

/**
 * The subscription's events, each resolved and its errors formatted. `onEnd` runs once, however
 * the stream ends (its last event, an error, or the transport returning it when the client
 * completes the operation or the socket closes), also when it is returned before its first
 * event; returning it returns the source at once (like graphql-js's own mapping), rather than
 * after the source's next event as an async generator function would.
 */
export function formattedEvents(
  stream: SubscriptionStream,
  format: (result: ExecutionResult) => FormattedExecutionResult,
  onEnd: () => void,
): AsyncGenerator<FormattedExecutionResult> {
  let ended = false;
  const end = async () => {
    if (ended) return;
    ended = true;
    onEnd();
    try {
      await stream.return();
    } finally {
      for (const done of stream.finished) done();
    }
  };
  const done = { done: true as const, value: undefined };
  const events = {
    async next(): Promise<IteratorResult<FormattedExecutionResult>> {
      if (ended) return done;
      try {
        const step = await stream.next();
        // An event that arrives after the end (the source answers a pending next first) is not resolved.
        if (ended) return done;
        if (!step.done) return { done: false, value: format(await stream.execute(step.value)) };
      } catch (err) {
        await end();
        throw err;
      }
      await end();
      return done;
    },
    async return(): Promise<IteratorResult<FormattedExecutionResult>> {
      await end();
      return done;
    },
    async throw(err: unknown): Promise<IteratorResult<FormattedExecutionResult>> {
      await end();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return events;
    },
  };
  return events as unknown as AsyncGenerator<FormattedExecutionResult>;
}
