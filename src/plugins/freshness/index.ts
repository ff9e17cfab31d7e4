// Tells the client when part of its answer came from an expired cache entry because the
// upstream was failing (stale-if-error): `extensions.stale` lists each such read and its age.
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context.ts';

export function freshnessPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const stale = contextValue.scope?.stale;
          if (!stale?.length || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, stale: stale.map((s) => ({ ...s, ageMs: Math.round(s.ageMs) })) };
        },
      };
    },
  };
}
