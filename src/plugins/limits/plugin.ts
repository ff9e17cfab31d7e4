// Operation limits, all enforced before any resolver runs:
//   body size       Fastify's bodyLimit (server.ts), 413
//   document size   over HTTP, before parsing (source.ts, 413); again in document.ts
//   tokens          graphql-js parser (parseOptions.maxTokens), then with comments (document.ts)
//   document size,  a validation rule that runs first and ends validation (document.ts)
//   depth, aliases
//   cost            here, once the operation and its variables are known (cost.ts)
// Each refusal is OPERATION_LIMIT_EXCEEDED naming the limit, its maximum and the actual value.
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context.ts';
import { limitExceeded } from '../../errors/index.ts';
import { cachedOperationCost } from './cost.ts';
import type { LimitsOptions } from './options.ts';

export function costLimitPlugin(options: Pick<LimitsOptions, 'maxCost' | 'weights' | 'upstreamCalls' | 'callPoints'>): ApolloServerPlugin<Context> {
  const model = {
    ...(options.weights ? { weights: options.weights } : {}),
    ...(options.upstreamCalls ? { upstreamCalls: options.upstreamCalls } : {}),
    ...(options.callPoints !== undefined ? { callPoints: options.callPoints } : {}),
  };
  const operationCost = cachedOperationCost(model);
  return {
    async requestDidStart() {
      return {
        // Synchronous to the end: the inbound rate limit (registered after this plugin) reads
        // operationCost in its own didResolveOperation, which Apollo starts right after this one.
        async didResolveOperation({ schema, document, request, contextValue }) {
          const cost = operationCost(schema, document, request.variables, request.operationName);
          if (cost === undefined) return;
          // A refused operation runs nothing, so the rate limit charges it its minimum, not its cost:
          // one mistaken query must not use up a client's allowance for the window.
          if (cost > options.maxCost) throw limitExceeded('cost', options.maxCost, cost);
          contextValue.operationCost = cost;
        },
      };
    },
  };
}
