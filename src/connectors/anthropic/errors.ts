// @anthropic-ai/sdk's error classes -> the taxonomy (DESIGN.md "Errors"). The only place that knows them.
import type Anthropic from '@anthropic-ai/sdk';
import { loadedAnthropicSdk } from './sdk.ts';
import { UpstreamError, retryAfterMs, type UpstreamErrorKind } from '../../errors/upstream.ts';

function kindOf(sdk: typeof Anthropic, err: InstanceType<typeof Anthropic.APIError>): UpstreamErrorKind {
  if (err instanceof sdk.APIConnectionTimeoutError) return 'timeout';
  if (err instanceof sdk.APIConnectionError) return 'transient';
  if (err instanceof sdk.AuthenticationError || err instanceof sdk.PermissionDeniedError) return 'auth';
  if (err instanceof sdk.RateLimitError) return 'rate_limited';
  // An unknown model, a prompt over the context window, max_tokens over the model's cap: the input.
  if (err instanceof sdk.NotFoundError || err instanceof sdk.BadRequestError || err instanceof sdk.UnprocessableEntityError) return 'rejected';
  // 529 overloaded_error and 5xx: the provider's own trouble.
  return 'transient';
}

export function classifyAnthropicError(err: unknown, operation: string, connector = 'anthropic'): UpstreamError {
  // Not loaded yet: no call was made, so this is no SDK error.
  const sdk = loadedAnthropicSdk();
  if (!sdk || !(err instanceof sdk.APIError)) {
    return new UpstreamError({ connector, operation, kind: 'transient', message: String((err as Error)?.message ?? err), cause: err });
  }
  return new UpstreamError({
    connector,
    operation,
    kind: kindOf(sdk, err),
    message: err.message,
    status: err.status,
    upstreamCode: err.type ?? undefined,
    field: err instanceof sdk.NotFoundError ? 'model' : undefined,
    retryAfterMs: retryAfterMs(err.headers),
    requestId: err.requestID ?? undefined,
    // The API gives a too-long prompt no code of its own, only these words.
    contextLength: err instanceof sdk.BadRequestError && /prompt is too long|exceed context limit/i.test(err.message),
    cause: err,
  });
}
