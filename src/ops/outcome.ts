// One classification of how an operation ended, shared by the audit trail, the metrics and the
// traces, so a dashboard and an audit query never disagree about what "denied" or "partial"
// means. It is made once per response, by whichever of them asks first.
import type { GraphQLResponse } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { AuditOutcome } from '../connectors/store/index.ts';

const DENIED = new Set(['UNAUTHENTICATED', 'FORBIDDEN']);
const LIMITED = new Set(['RATE_LIMITED', 'OPERATION_LIMIT_EXCEEDED', 'BUDGET_EXCEEDED']);
const INVALID = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_NOT_ALLOWED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export interface ErrorSummary {
  code: string;
  path: string | null;
}

export function summarizeErrors(errors: readonly GraphQLFormattedError[] | undefined): ErrorSummary[] {
  return (errors ?? []).map((e) => ({
    code: typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL_SERVER_ERROR',
    path: e.path ? e.path.join('.') : null,
  }));
}

/**
 * `executed`: the response has a data key (execution started). Refusals before execution are
 * classified by their code; after it, only-denied errors are still "denied".
 */
export function operationOutcome(executed: boolean, hasData: boolean, errors: readonly ErrorSummary[]): AuditOutcome {
  if (!errors.length) return 'ok';
  const codes = errors.map((e) => e.code);
  if (codes.every((c) => DENIED.has(c))) return 'denied';
  if (!executed) {
    if (codes.some((c) => LIMITED.has(c))) return 'limited';
    if (codes.some((c) => DENIED.has(c))) return 'denied';
    return codes.some((c) => INVALID.has(c)) ? 'invalid' : 'error';
  }
  return hasData ? 'partial' : 'error';
}

export interface ResponseOutcome {
  /** The response has a data key: execution started. */
  executed: boolean;
  errors: ErrorSummary[];
  outcome: AuditOutcome;
}

const byResponse = new WeakMap<GraphQLResponse, ResponseOutcome>();

/** How the operation behind a response ended (Apollo hands every plugin the same response object). */
export function responseOutcome(response: GraphQLResponse): ResponseOutcome {
  let known = byResponse.get(response);
  if (!known) {
    const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
    const errors = summarizeErrors(result.errors);
    const executed = 'data' in result && result.data !== undefined;
    known = { executed, errors, outcome: operationOutcome(executed, executed && result.data !== null, errors) };
    byResponse.set(response, known);
  }
  return known;
}

/** A request refused before GraphQL saw it (bad JSON, body too large, bad credential), by HTTP status. */
export function httpOutcome(status: number): AuditOutcome {
  if (status === 413 || status === 429) return 'limited';
  if (status === 401 || status === 403) return 'denied';
  return status >= 500 ? 'error' : 'invalid';
}
