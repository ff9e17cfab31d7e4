// openai-node's error classes -> the taxonomy (DESIGN.md "Errors"). The only place that knows them.
import OpenAI from 'openai';
import { UpstreamError, retryAfterMs, type UpstreamErrorKind } from '../../errors/upstream.ts';

function kindOf(err: InstanceType<typeof OpenAI.APIError>): UpstreamErrorKind {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return 'timeout';
  if (err instanceof OpenAI.APIConnectionError) return 'transient';
  if (err instanceof OpenAI.AuthenticationError || err instanceof OpenAI.PermissionDeniedError) return 'auth';
  if (err instanceof OpenAI.RateLimitError) return 'rate_limited';
  if (err instanceof OpenAI.ConflictError) return 'conflict';
  // An unknown model is the caller's input, not a missing object: the model is named in the request.
  if (err instanceof OpenAI.NotFoundError || err instanceof OpenAI.BadRequestError || err instanceof OpenAI.UnprocessableEntityError) return 'rejected';
  return 'transient';
}

export function classifyOpenAiError(err: unknown, operation: string, connector = 'openai'): UpstreamError {
  if (!(err instanceof OpenAI.APIError)) {
    return new UpstreamError({ connector, operation, kind: 'transient', message: String((err as Error)?.message ?? err), cause: err });
  }
  return new UpstreamError({
    connector,
    operation,
    kind: kindOf(err),
    message: err.message,
    status: err.status,
    upstreamCode: err.code ?? undefined,
    field: err instanceof OpenAI.NotFoundError ? 'model' : (err.param ?? undefined),
    retryAfterMs: retryAfterMs(err.headers),
    requestId: err.requestID ?? undefined,
    contextLength: err.code === 'context_length_exceeded',
    cause: err,
  });
}
