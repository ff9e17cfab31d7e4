// The Apollo side of GraphQL over WebSocket. Every operation that comes over a socket runs through
// Apollo's own request pipeline (src/ws/operation.ts), so parsing, validation, the limits, the
// safelist, input checks, the inbound rate limit, formatError, the audit and the metrics are the
// very plugins HTTP runs. This plugin adds the two things HTTP has no use for:
//   - a refusal the transport decided before parsing (the text's size, the socket's operation
//     cap) is answered the way the safelist answers one: the text is replaced by a constant
//     query, never parsed, and the refusal is thrown from didResolveOperation, where the audit
//     and metrics plugins see it like any other;
//   - a subscription, once Apollo has validated it and every didResolveOperation hook has let it
//     through, is handed to graphql-js's createSourceEventStream() instead of execute(): its
//     source events go back to the transport with the way to resolve each. A refused
//     subscription is audited at once; an accepted one when it ends, with every call it caused.
// It does nothing for an HTTP request (no `websocket` in the context).
import type { ApolloServerPlugin } from '@apollo/server';
import type { ExecutionResult, FormattedExecutionResult } from 'graphql';
import { createSourceEventStream, execute } from './graphql.ts';
import { createContext, type Context } from '../context.ts';
import { runInScope } from '../pipeline/scope.ts';

const REFUSED = 'query WebSocketOperationRefused { __typename }';

export type FormatResult = (result: ExecutionResult) => FormattedExecutionResult;

export function webSocketPlugin(format: FormatResult): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request, contextValue }) {
      const ws = contextValue.websocket;
      if (!ws) return;
      const refused = ws.refusal;
      if (refused) {
        request.query = REFUSED;
        const { persistedQuery: _dropped, ...rest } = request.extensions ?? {};
        request.extensions = rest;
      }
      return {
        async didResolveOperation({ operation }) {
          if (refused) throw refused;
          if (operation) ws.operationType = operation.operation;
        },
        async responseForOperation(rc) {
          if (rc.operation.operation !== 'subscription') return null;
          const args = {
            schema: rc.schema,
            document: rc.document,
            contextValue: rc.contextValue,
            variableValues: rc.request.variables,
            operationName: rc.operationName,
          };
          const source = await createSourceEventStream(args);
          if (!(Symbol.asyncIterator in source)) {
            // Refused before its first event (a permission rule on the field's subscribe, bad arguments).
            return { http: rc.response.http, body: { kind: 'single', singleResult: format(source) } };
          }
          // The source is read, and each event resolved, in the subscription's own operation scope
          // (the transport pulls events from outside it), so every call they cause is charged to
          // its principal, cancelled with its signal and kept for its audit record, written when
          // it ends. Each event gets fresh DataLoaders, as an HTTP request does: a read cached for
          // one event must not answer the next; graphql-shield's per-request cache goes too.
          const base = rc.contextValue;
          const { scope } = base;
          const events = source[Symbol.asyncIterator]();
          const { _shield: _cache, ...init } = base as Context & { _shield?: unknown };
          ws.stream = {
            next: () => runInScope(scope, () => events.next()),
            return: () => runInScope(scope, async () => events.return?.()),
            execute: (event) => runInScope(scope, async () => execute({ ...args, rootValue: event, contextValue: createContext(init) })),
            finished: [],
          };
          return { http: rc.response.http, body: { kind: 'single', singleResult: { data: null } } };
        },
      };
    },
  };
}
