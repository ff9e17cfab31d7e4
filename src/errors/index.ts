// One GraphQLError constructor and the single mapping from what connectors and the store throw
// to what clients see. Resolvers throw; Apollo's formatError calls toClientError; nothing else
// builds messages for upstream failures.
import { GraphQLError, Kind, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ErrorCode } from './codes.ts';
import { UpstreamError } from './upstream.ts';
import { StoreConflictError, StoreInputError, StoreUnavailableError } from './store.ts';
import { systemName } from './systems.ts';
import { NotFoundError } from './notFound.ts';
import { isTokenLimitError, limitExtensions, limitMessage } from './limits.ts';
import { AiChainError } from './ai.ts';
import { BudgetExceededError, BudgetUnavailableError } from './budget.ts';

export { ErrorCode } from './codes.ts';
export { UpstreamError, retryAfterMs, type UpstreamErrorKind } from './upstream.ts';
export { limitExceeded, type LimitName } from './limits.ts';
export { NotFoundError, orNull, required } from './notFound.ts';
export { AiChainError, type AiAttempt } from './ai.ts';
export { BudgetExceededError, BudgetUnavailableError } from './budget.ts';

export function codedError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

// Structural, not instanceof: Apollo loads graphql-js as CommonJS while this code may get the ESM
// build, so a GraphQLError from Apollo can fail `instanceof` against this module's class.
function isGraphQLError(e: unknown): e is GraphQLError {
  return e instanceof Error && 'extensions' in e && 'positions' in e && 'locations' in e;
}

/** Bad input found by a resolver, naming the field at fault. */
export function badInput(field: string, message: string): GraphQLError {
  return codedError(ErrorCode.BAD_USER_INPUT, message, { field });
}

function upstreamToGraphQL(err: UpstreamError): GraphQLError {
  const who = systemName(err.connector);
  const ext: Record<string, unknown> = { connector: err.connector, operation: err.operation };
  if (err.upstreamCode) ext.upstreamCode = err.upstreamCode;
  if (err.requestId) ext.upstreamRequestId = err.requestId;
  switch (err.kind) {
    case 'transient':
      return codedError(ErrorCode.UPSTREAM_UNAVAILABLE, `${who} is unavailable; try again shortly`, ext);
    case 'circuit_open':
      return codedError(ErrorCode.UPSTREAM_UNAVAILABLE, `${who} is failing; calls are paused for a short while`, {
        ...ext,
        reason: 'circuit_open',
        ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      });
    case 'timeout':
      return codedError(ErrorCode.UPSTREAM_TIMEOUT, `${who} did not answer in time`, ext);
    case 'cancelled':
      return codedError(ErrorCode.UPSTREAM_UNAVAILABLE, `The call to ${who} was cancelled because the client went away`, { ...ext, reason: 'cancelled' });
    case 'busy':
      // Still busy after every retry: the same request, sent again later, will go through.
      return err.upstreamCode === 'idempotency_key_in_use'
        ? codedError(ErrorCode.IDEMPOTENCY_IN_PROGRESS, `${who} is still processing another request with this idempotency key; retry it shortly`, {
            ...ext,
            retryAfterMs: err.retryAfterMs ?? 1000,
          })
        : codedError(ErrorCode.UPSTREAM_UNAVAILABLE, `${who} is busy with this object for another request; try again shortly`, {
            ...ext,
            reason: 'busy',
            retryAfterMs: err.retryAfterMs ?? 1000,
          });
    case 'rate_limited':
      return codedError(ErrorCode.RATE_LIMITED, `${who} is rate limiting requests`, { ...ext, retryAfterMs: err.retryAfterMs ?? 1000 });
    case 'auth':
      return codedError(ErrorCode.UPSTREAM_AUTH_FAILED, `${who} refused Switchyard's credentials; an operator must fix them`, ext);
    case 'contract':
      return codedError(ErrorCode.UPSTREAM_CONTRACT_CHANGED, `${who} answered in a shape Switchyard does not expect`, ext);
    case 'rejected':
      return codedError(ErrorCode.UPSTREAM_REJECTED, `${who} rejected the request: ${err.message}`, {
        ...ext,
        ...(err.field ? { field: err.field } : {}),
      });
    case 'not_found':
      return codedError(ErrorCode.NOT_FOUND, `${who} has no such object: ${err.message}`, ext);
    case 'conflict':
      return err.upstreamCode === 'idempotency_error'
        ? codedError(ErrorCode.IDEMPOTENCY_CONFLICT, 'This idempotency key was already used with other parameters', ext)
        : codedError(ErrorCode.CONFLICT, `${who} reports a conflict: ${err.message}`, ext);
  }
}

// Every link was tried and none could answer now: unavailable, with each link's outcome so the
// client (and the operator reading the audit trail) sees which providers failed how.
function chainToGraphQL(err: AiChainError): GraphQLError {
  const retryAfterMs = err.retryAfterMs;
  return codedError(ErrorCode.UPSTREAM_UNAVAILABLE, `No AI provider of capability ${err.capability} could answer; try again shortly`, {
    capability: err.capability,
    attempts: err.attempts.map((a) => ({ provider: a.provider, model: a.model, outcome: a.outcome, latencyMs: a.latencyMs })),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** Maps anything a resolver threw to a coded GraphQLError, or undefined when it is unknown. */
export function toGraphQLError(err: unknown): GraphQLError | undefined {
  if (err instanceof UpstreamError) return upstreamToGraphQL(err);
  if (err instanceof AiChainError) return chainToGraphQL(err);
  if (err instanceof BudgetExceededError) {
    return codedError(ErrorCode.BUDGET_EXCEEDED, err.message, { budget: err.budget, limit: err.limit, spent: err.spent, unit: err.unit, resetAt: err.resetAt });
  }
  if (err instanceof BudgetUnavailableError) {
    return codedError(ErrorCode.UPSTREAM_UNAVAILABLE, 'AI budgets cannot be checked right now, so the call was not made; try again shortly', {
      connector: err.backend,
      reason: 'budget_unavailable',
    });
  }
  if (err instanceof StoreInputError) return badInput(err.field, err.message);
  if (err instanceof NotFoundError) return codedError(ErrorCode.NOT_FOUND, err.message, err.field ? { field: err.field } : {});
  if (err instanceof StoreUnavailableError) {
    return codedError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The database is unavailable; try again shortly', { connector: 'store' });
  }
  if (err instanceof StoreConflictError) return codedError(ErrorCode.CONFLICT, err.message, { field: err.field });
  if (isGraphQLError(err) && typeof err.extensions?.code === 'string') return err;
  return undefined;
}

// Input errors are named where they are raised (plugins/input): a literal by a validation rule, a
// variable before execution. Should graphql-js's own coercion still refuse a variable, its error
// points at the variable's definition: that node, not the message text, names the field.
function variableField(error: unknown): string | undefined {
  const node = (error as { nodes?: readonly { kind: string; variable?: { name: { value: string } } }[] } | null)?.nodes?.[0];
  return node?.kind === Kind.VARIABLE_DEFINITION ? node.variable?.name.value : undefined;
}

// INTERNAL_SERVER_ERROR is left out: whatever carries it is masked, never passed on.
const OUR_CODES = new Set<unknown>(Object.values(ErrorCode).filter((c) => c !== ErrorCode.INTERNAL_SERVER_ERROR));

// Apollo wraps an error raised before execution (by a validation rule, by the context function)
// in its own GraphQLError, replacing the code or prefixing the message: the coded error we
// raised is the answer. Errors with a path come from resolvers and are left to the rules above.
function raisedBeforeExecution(formatted: GraphQLFormattedError, error: unknown): GraphQLError | undefined {
  if (formatted.path) return undefined;
  const inner = (error as { originalError?: unknown } | null)?.originalError;
  return isGraphQLError(inner) && OUR_CODES.has(inner.extensions?.code) ? inner : undefined;
}

/** Apollo's formatError: coded errors pass, input errors name their field, the rest is masked. */
export function formatError(formatted: GraphQLFormattedError, error: unknown, opts: { exposeStack: boolean; maxTokens?: number }): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  const original = unwrapResolverError(error);
  const mapped = toGraphQLError(original);
  const stack = opts.exposeStack && original instanceof Error ? { stacktrace: original.stack?.split('\n') } : {};
  const early = raisedBeforeExecution(formatted, error);
  if (early) {
    const { http: _http, ...extensions } = early.extensions;
    return { message: early.message, locations: formatted.locations, extensions: { ...extensions, ...stack } };
  }
  if (code === 'GRAPHQL_PARSE_FAILED' && opts.maxTokens !== undefined && isTokenLimitError(error, opts.maxTokens)) {
    return { message: limitMessage('tokens', opts.maxTokens), extensions: limitExtensions('tokens', opts.maxTokens) };
  }
  if (mapped && mapped !== original) {
    return { message: mapped.message, locations: formatted.locations, path: formatted.path, extensions: { ...mapped.extensions, ...stack } };
  }
  if (code === ErrorCode.BAD_USER_INPUT && formatted.extensions?.field === undefined) {
    const field = variableField(error);
    if (field) return { ...formatted, extensions: { code, field } };
  }
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const { stacktrace: _hidden, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions: opts.exposeStack ? formatted.extensions : extensions };
  }
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...stack },
  };
}
