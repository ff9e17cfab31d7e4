// Errors that reach a WebSocket client without passing Apollo's own formatting (a subscription's
// events, a subscription refused by its subscribe resolver) get the same treatment Apollo gives
// every HTTP response: a GraphQLError's JSON, a code (INTERNAL_SERVER_ERROR when it has none),
// no `http` extension, then the server's formatError, which masks what is not ours and adds a
// stack trace only when EXPOSE_ERROR_STACKS is on. Apollo does not export its own version.
import type { ExecutionResult, FormattedExecutionResult, GraphQLError as GraphQLErrorType, GraphQLFormattedError } from 'graphql';
import { GraphQLError } from './graphql.ts';
import { ErrorCode } from '../errors/index.ts';

export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

// graphql-js's own class (graphql.ts): the errors it puts in a result are of it.
function asGraphQLError(error: unknown): GraphQLErrorType {
  if (error instanceof GraphQLError) return error;
  const cause = error instanceof Error ? error : new Error(String(error));
  return new GraphQLError(cause.message, { originalError: cause });
}

export function formatErrors(errors: readonly unknown[], format: FormatError, exposeStack: boolean): GraphQLFormattedError[] {
  return errors.map((error) => {
    const e = asGraphQLError(error);
    const { http: _http, ...extensions }: Record<string, unknown> = { ...e.extensions, code: e.extensions.code ?? ErrorCode.INTERNAL_SERVER_ERROR };
    if (exposeStack) extensions.stacktrace = e.stack?.split('\n');
    try {
      return format({ ...e.toJSON(), extensions }, error);
    } catch {
      return { message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
    }
  });
}

/** The result with its errors formatted (as plain objects, ready to send). */
export function formatResult(result: ExecutionResult, format: FormatError, exposeStack: boolean): FormattedExecutionResult {
  const { errors, ...rest } = result;
  return errors?.length ? { ...rest, errors: formatErrors(errors, format, exposeStack) } : rest;
}

export interface Formatter {
  result(result: ExecutionResult): FormattedExecutionResult;
  errors(errors: readonly unknown[]): GraphQLFormattedError[];
}

/** Both shapes over the server's formatError. */
export function createFormatter(format: FormatError, exposeStack: boolean): Formatter {
  return { result: (result) => formatResult(result, format, exposeStack), errors: (errors) => formatErrors(errors, format, exposeStack) };
}
