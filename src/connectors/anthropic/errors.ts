// @anthropic-ai/sdk's error classes -> the taxonomy (DESIGN.md "Errors"). The only place that knows them.
import Anthropic from '@anthropic-ai/sdk';
import { UpstreamError, retryAfterMs, type UpstreamErrorKind } from '../../errors/upstream.ts';

function kindOf(err: InstanceType<typeof Anthropic.APIError>): UpstreamErrorKind {
  if (err instanceof Anthropic.APIConnectionTimeoutError) return 'timeout';
  if (err instanceof Anthropic.APIConnectionError) return 'transient';
  if (err instanceof Anthropic.AuthenticationError || err instanceof Anthropic.PermissionDeniedError) return 'auth';
  if (err instanceof Anthropic.RateLimitError) return 'rate_limited';
  // An unknown model, a prompt over the context window, max_tokens over the model's cap: the input.
  if (err instanceof Anthropic.NotFoundError || err instanceof Anthropic.BadRequestError || err instanceof Anthropic.UnprocessableEntityError)
    return 'rejected';
  // 529 overloaded_error and 5xx: the provider's own trouble.
  return 'transient';
}

export function classifyAnthropicError(err: unknown, operation: string, connector = 'anthropic'): UpstreamError {
  if (!(err instanceof Anthropic.APIError)) {
    return new UpstreamError({ connector, operation, kind: 'transient', message: String((err as Error)?.message ?? err), cause: err });
  }
  return new UpstreamError({
    connector,
    operation,
    kind: kindOf(err),
    message: err.message,
    status: err.status,
    upstreamCode: err.type ?? undefined,
    field: err instanceof Anthropic.NotFoundError ? 'model' : undefined,
    retryAfterMs: retryAfterMs(err.headers),
    requestId: err.requestID ?? undefined,
    // The API gives a too-long prompt no code of its own, only these words.
    contextLength: err instanceof Anthropic.BadRequestError && /prompt is too long|exceed context limit/i.test(err.message),
    cause: err,
  });
}
