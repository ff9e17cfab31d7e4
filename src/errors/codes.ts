// The GraphQL error codes clients can rely on (extensions.code). See DESIGN.md, "Errors".
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** The HTTP request itself is malformed (bad JSON, wrong method); Apollo's own code for it. */
  BAD_REQUEST: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_REJECTED: 'UPSTREAM_REJECTED',
  UPSTREAM_AUTH_FAILED: 'UPSTREAM_AUTH_FAILED',
  UPSTREAM_CONTRACT_CHANGED: 'UPSTREAM_CONTRACT_CHANGED',
  BUDGET_EXCEEDED: 'BUDGET_EXCEEDED',
  /** The operation exceeds a limit (depth, aliases, tokens, document or body size, cost); `limit` names it. */
  OPERATION_LIMIT_EXCEEDED: 'OPERATION_LIMIT_EXCEEDED',
  /** Safelist mode: the operation is not in the persisted-operations manifest. */
  OPERATION_NOT_ALLOWED: 'OPERATION_NOT_ALLOWED',
  /** The idempotency key was already used with another request (by this principal, for this operation). */
  IDEMPOTENCY_CONFLICT: 'IDEMPOTENCY_CONFLICT',
  /** A request with this idempotency key is still running; retry after `retryAfterMs`. */
  IDEMPOTENCY_IN_PROGRESS: 'IDEMPOTENCY_IN_PROGRESS',
  CONFLICT: 'CONFLICT',
  /** A webhook delivery whose signature is missing, wrong or too old (POST /webhooks/*); `reason` says which. */
  WEBHOOK_SIGNATURE_INVALID: 'WEBHOOK_SIGNATURE_INVALID',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
