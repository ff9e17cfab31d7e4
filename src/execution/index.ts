// How an operation Apollo Server has parsed, validated and passed through its plugins is
// executed. Apollo Server 5 takes a custom executor only through its gateway interface, so this
// is a gateway of one schema: `load()` hands Apollo the executor, `onSchemaLoadOrUpdate` the
// shielded schema (what Apollo validates against, and what introspection shows).
//
// Per operation:
//   - permissions decided up front (permissions/operation.ts) allow every field: the operation
//     runs on the same schema without the shield middleware, compiled by graphql-jit (cached per
//     parsed document and operation name), or by graphql-js where compiling is off;
//   - otherwise (a customer, whose rules look at each record; any refusal): graphql-js executes it
//     under the shield, exactly as Apollo's own executor would.
import { execute, GraphQLError, printSchema, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import type { Context } from '../context.ts';
import { allowedUpFront } from '../permissions/operation.ts';
import { ErrorCode, codedError } from '../errors/index.ts';

export type ExecutorMode = 'compiled' | 'standard';

export interface ExecutionOptions {
  /** Under the permission middleware: what runs whenever the shield must decide. */
  shielded: GraphQLSchema;
  /** The same type definitions and resolvers, without the middleware. */
  bare: GraphQLSchema;
  mode: ExecutorMode;
}

/** What the executor did, for the tests and the benchmark: how many operations took each path. */
export interface ExecutionCounts {
  upFront: number;
  shielded: number;
  compiles: number;
}

type Compiled = CompiledQuery | ExecutionResult;

export function createExecution(o: ExecutionOptions): { gateway: GatewayInterface; counts: ExecutionCounts } {
  const counts: ExecutionCounts = { upFront: 0, shielded: 0, compiles: 0 };
  // Keyed by Apollo's parsed document (one per distinct query text in its document store), so a
  // document it evicts takes its compiled forms with it.
  const compiled = new WeakMap<DocumentNode, Map<string, Compiled>>();
  const compile = (document: DocumentNode, operationName: string | null): Compiled => {
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    const key = operationName ?? '';
    let c = byName.get(key);
    if (!c) {
      counts.compiles++;
      c = compileQuery(o.bare, document, operationName ?? undefined);
      byName.set(key, c);
    }
    return c;
  };

  const executor: GatewayExecutor = async (rc) => {
    const ctx = rc.context as Context;
    const { document, operationName } = rc;
    // A name the document does not have (or none, in a document of several) is the client's mistake: coded, 400.
    if (!rc.operation)
      return {
        errors: [
          codedError(
            ErrorCode.BAD_REQUEST,
            operationName ? `The document has no operation named "${operationName}"` : 'The document has several operations: name one in operationName',
            { http: { status: 400 } },
          ),
        ],
      };
    const variableValues = rc.request.variables;
    if (allowedUpFront(o.bare, document, operationName, variableValues, ctx.principal)) {
      counts.upFront++;
      if (o.mode === 'compiled') {
        const c = compile(document, operationName);
        if (isCompiledQuery(c)) return withGraphQLErrors(await c.query(undefined, ctx, variableValues ?? {}));
      }
      return execute({ schema: o.bare, document, operationName, variableValues, contextValue: ctx });
    }
    counts.shielded++;
    return execute({ schema: o.shielded, document, operationName, variableValues, contextValue: ctx });
  };

  const gateway: GatewayInterface = {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: o.shielded, coreSupergraphSdl: printSchema(o.shielded) });
      return () => {};
    },
    load: async () => ({ executor }),
    stop: async () => {},
  };
  return { gateway, counts };
}

/**
 * graphql-jit's errors inherit from graphql-js's but leave `extensions` undefined where the
 * thrown error had none, and Apollo reads `extensions.code` of every error: such an error is
 * made a graphql-js one with the same message, path, locations and original error.
 */
function withGraphQLErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.some((e) => !e.extensions)) return result;
  const errors = result.errors.map((e) => {
    if (e.extensions) return e;
    const error = new GraphQLError(e.message, { path: e.path, originalError: e.originalError ?? undefined });
    (error as { locations?: GraphQLError['locations'] }).locations = e.locations;
    return error;
  });
  return { ...result, errors };
}
