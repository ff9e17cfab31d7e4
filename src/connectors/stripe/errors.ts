// Stripe's error classes -> the taxonomy (DESIGN.md "Errors"). The only place that knows them.
import Stripe from 'stripe';
import { UpstreamError, type UpstreamErrorKind } from '../../errors/upstream.ts';

function kindOf(err: InstanceType<typeof Stripe.errors.StripeError>): UpstreamErrorKind {
  if (err instanceof Stripe.errors.StripeAuthenticationError || err instanceof Stripe.errors.StripePermissionError) return 'auth';
  if (err instanceof Stripe.errors.StripeRateLimitError || err.statusCode === 429) return 'rate_limited';
  // 409: another request holds the object (lock_timeout) or the idempotency key
  // (idempotency_key_in_use). Stripe documents both as safe to retry with the same key, and they
  // say nothing about its health, so they are neither rejected input nor a failure.
  if (err.statusCode === 409) return 'busy';
  if (err instanceof Stripe.errors.StripeIdempotencyError) return 'conflict';
  if (err instanceof Stripe.errors.StripeCardError) return 'rejected';
  if (err instanceof Stripe.errors.StripeConnectionError) return 'transient';
  if (err.statusCode === 404) return 'not_found';
  if (err instanceof Stripe.errors.StripeInvalidRequestError) return 'rejected';
  return 'transient';
}

export function classifyStripeError(err: unknown, operation: string, connector = 'stripe'): UpstreamError {
  if (!(err instanceof Stripe.errors.StripeError)) {
    return new UpstreamError({ connector, operation, kind: 'transient', message: String((err as Error)?.message ?? err), cause: err });
  }
  const retryAfter = err.headers?.['retry-after'];
  return new UpstreamError({
    connector,
    operation,
    kind: kindOf(err),
    message: err.message,
    status: err.statusCode,
    upstreamCode: err instanceof Stripe.errors.StripeIdempotencyError ? 'idempotency_error' : err.code,
    field: err.param,
    retryAfterMs: retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined,
    requestId: err.requestId,
    cause: err,
  });
}
