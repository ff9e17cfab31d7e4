// Logs what clients never see: an error that formatError will mask (a bug, not an upstream or
// input problem) is logged with its stack and the request id, so the masked
// INTERNAL_SERVER_ERROR a client reports can be found in the log.
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Context } from '../../context.ts';
import { toGraphQLError } from '../../errors/index.ts';

export function errorLogPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const original = unwrapResolverError(error);
            if (toGraphQLError(original) || error.extensions?.code) continue;
            contextValue.logger.error({ err: original, path: error.path }, 'unexpected error in operation (masked for the client)');
          }
        },
      };
    },
  };
}
