// Stripe's error classes -> the taxonomy (DESIGN.md "Errors"). The only place that knows them.
import type Stripe from 'stripe';
import { loadedStripeSdk } from './sdk.ts';
import { UpstreamError, type UpstreamErrorKind } from '../../errors/upstream.ts';

function kindOf(sdk: typeof Stripe, err: InstanceType<typeof Stripe.errors.StripeError>): UpstreamErrorKind {
  if (err instanceof sdk.errors.StripeAuthenticationError || err instanceof sdk.errors.StripePermissionError) return 'auth';
  if (err instanceof sdk.errors.StripeRateLimitError || err.statusCode === 429) return 'rate_limited';
  // 409: another request holds the object (lock_timeout) or the idempotency key
  // (idempotency_key_in_use). Stripe documents both as safe to retry with the same key, and they
  // say nothing about its health, so they are neither rejected input nor a failure.
  if (err.statusCode === 409) return 'busy';
  if (err instanceof sdk.errors.StripeIdempotencyError) return 'conflict';
  if (err instanceof sdk.errors.StripeCardError) return 'rejected';
  if (err instanceof sdk.errors.StripeConnectionError) return 'transient';
  if (err.statusCode === 404) return 'not_found';
  if (err instanceof sdk.errors.StripeInvalidRequestError) return 'rejected';
  return 'transient';
}

export function classifyStripeError(err: unknown, operation: string, connector = 'stripe'): UpstreamError {
  // Not loaded yet: no call was made, so this is no SDK error.
  const sdk = loadedStripeSdk();
  if (!sdk || !(err instanceof sdk.errors.StripeError)) {
    return new UpstreamError({ connector, operation, kind: 'transient', message: String((err as Error)?.message ?? err), cause: err });
  }
  const retryAfter = err.headers?.['retry-after'];
  return new UpstreamError({
    connector,
    operation,
    kind: kindOf(sdk, err),
    message: err.message,
    status: err.statusCode,
    upstreamCode: err instanceof sdk.errors.StripeIdempotencyError ? 'idempotency_error' : err.code,
    field: err.param,
    retryAfterMs: retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined,
    requestId: err.requestId,
    cause: err,
  });
}
