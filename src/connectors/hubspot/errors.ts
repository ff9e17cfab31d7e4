// HubSpot's HTTP answers -> the taxonomy (DESIGN.md "Errors"). The only place that knows them.
import { UpstreamError, retryAfterMs, type UpstreamErrorKind } from '../../errors/upstream.ts';

/** A non-2xx answer from HubSpot, with the parts of its error body we use. */
export class HubSpotHttpError extends Error {
  override name = 'HubSpotHttpError';
  constructor(
    readonly status: number,
    readonly body: { message?: string; category?: string; correlationId?: string } | undefined,
    readonly headers: Headers,
  ) {
    super(body?.message ?? `HubSpot answered ${status}`);
  }
}

function kindOf(status: number): UpstreamErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status >= 400 && status < 500) return 'rejected';
  return 'transient';
}

export function classifyHubSpotError(err: unknown, operation: string, connector = 'hubspot'): UpstreamError {
  if (err instanceof HubSpotHttpError) {
    // HubSpot's 429s carry no Retry-After; its window is the rolling interval it announces.
    const interval = Number(err.headers.get('x-hubspot-ratelimit-interval-milliseconds'));
    return new UpstreamError({
      connector,
      operation,
      kind: kindOf(err.status),
      message: err.message,
      status: err.status,
      upstreamCode: err.body?.category,
      requestId: err.body?.correlationId,
      retryAfterMs:
        err.status === 429 ? (retryAfterMs(err.headers) ?? (Number.isFinite(interval) && interval > 0 ? Math.min(interval, 10_000) : 1_000)) : undefined,
      cause: err,
    });
  }
  return new UpstreamError({ connector, operation, kind: 'transient', message: String((err as Error)?.message ?? err), cause: err });
}
