// Bad input is refused with BAD_USER_INPUT naming the field, before any resolver runs, whether
// it came inline (literals.ts, a validation rule) or in a variable (variables.ts, here).
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context.ts';
import { variableError } from './variables.ts';

export function inputPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, operation, request }) {
          const error = operation && variableError(schema, operation, request.variables);
          if (error) throw error;
        },
      };
    },
  };
}
