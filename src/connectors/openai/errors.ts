// openai-node's error classes -> the taxonomy (DESIGN.md "Errors"). The only place that knows them.
import type OpenAI from 'openai';
import { loadedOpenAiSdk } from './sdk.ts';
import { UpstreamError, retryAfterMs, type UpstreamErrorKind } from '../../errors/upstream.ts';

function kindOf(sdk: typeof OpenAI, err: InstanceType<typeof OpenAI.APIError>): UpstreamErrorKind {
  if (err instanceof sdk.APIConnectionTimeoutError) return 'timeout';
  if (err instanceof sdk.APIConnectionError) return 'transient';
  if (err instanceof sdk.AuthenticationError || err instanceof sdk.PermissionDeniedError) return 'auth';
  if (err instanceof sdk.RateLimitError) return 'rate_limited';
  if (err instanceof sdk.ConflictError) return 'conflict';
  // An unknown model is the caller's input, not a missing object: the model is named in the request.
  if (err instanceof sdk.NotFoundError || err instanceof sdk.BadRequestError || err instanceof sdk.UnprocessableEntityError) return 'rejected';
  return 'transient';
}

export function classifyOpenAiError(err: unknown, operation: string, connector = 'openai'): UpstreamError {
  // Not loaded yet: no call was made, so this is no SDK error.
  const sdk = loadedOpenAiSdk();
  if (!sdk || !(err instanceof sdk.APIError)) {
    return new UpstreamError({ connector, operation, kind: 'transient', message: String((err as Error)?.message ?? err), cause: err });
  }
  return new UpstreamError({
    connector,
    operation,
    kind: kindOf(sdk, err),
    message: err.message,
    status: err.status,
    upstreamCode: err.code ?? undefined,
    field: err instanceof sdk.NotFoundError ? 'model' : (err.param ?? undefined),
    retryAfterMs: retryAfterMs(err.headers),
    requestId: err.requestID ?? undefined,
    contextLength: err.code === 'context_length_exceeded',
    cause: err,
  });
}
