// The Apollo side of GraphQL over WebSocket. Every operation that comes over a socket runs through
// Apollo's own request pipeline (src/ws/operation.ts), so parsing, validation, the limits, the
// safelist, input checks, the inbound rate limit, formatError, the audit and the metrics are the
// very plugins HTTP runs. This plugin adds the two things HTTP has no use for:
//   - a refusal the transport decided before parsing (the text's size, the socket's operation
//     cap) is answered the way the safelist answers one: the text is replaced by a constant
//     query, never parsed, and the refusal is thrown from didResolveOperation, where the audit
//     and metrics plugins see it like any other;
//   - a subscription, once Apollo has validated it and every didResolveOperation hook has let it
//     through, is handed to graphql-js's subscribe() instead of execute(): its event stream goes
//     back to the transport. The audit record is the subscription's acceptance (or refusal);
//     its events are formatted by the transport.
// It does nothing for an HTTP request (no `websocket` in the context).
import type { ApolloServerPlugin } from '@apollo/server';
import type { ExecutionResult, FormattedExecutionResult } from 'graphql';
import { subscribe } from './graphql.ts';
import type { Context } from '../context.ts';

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
          const result = await subscribe({
            schema: rc.schema,
            document: rc.document,
            contextValue: rc.contextValue,
            variableValues: rc.request.variables,
            operationName: rc.operationName,
          });
          if (Symbol.asyncIterator in result) {
            ws.stream = result;
            return { http: rc.response.http, body: { kind: 'single', singleResult: { data: null } } };
          }
          // Refused before its first event (a permission rule on the field's subscribe, bad arguments).
          return { http: rc.response.http, body: { kind: 'single', singleResult: format(result) } };
        },
      };
    },
  };
}
