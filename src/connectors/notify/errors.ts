// What a notification receiver's answer means, in the taxonomy (DESIGN.md "Errors"): 5xx, 408,
// 429 and network failures are worth a retry; any other 4xx (a revoked Slack hook, an archived
// channel, a bad payload, a signature the receiver refuses) never is, and never trips the breaker.
import type { ErrorClassifier } from '../../pipeline/index.ts';
import { UpstreamError, retryAfterMs, type UpstreamErrorKind } from '../../errors/upstream.ts';

/** A receiver's answer other than 2xx; `body` is cut to a few KB. */
export class NotifyHttpError extends Error {
  override name = 'NotifyHttpError';
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Headers,
  ) {
    super(`receiver answered ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
  }
}

function kindOf(status: number): UpstreamErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'transient';
  if (status === 409) return 'conflict';
  // 3xx (redirects are not followed: a moved hook is a configuration to fix), 400, 404, 410, ...
  return 'rejected';
}

export function notifyErrorClassifier(connector: string): ErrorClassifier {
  return (err, operation) => {
    if (err instanceof NotifyHttpError) {
      return new UpstreamError({
        connector,
        operation,
        kind: kindOf(err.status),
        message: err.message,
        status: err.status,
        // Slack answers a plain-text code (no_text, invalid_token, channel_is_archived).
        upstreamCode: /^[a-z_]{2,40}$/.test(err.body.trim()) ? err.body.trim() : undefined,
        retryAfterMs: retryAfterMs(err.headers),
        cause: err,
      });
    }
    // fetch's own failures (refused, reset, DNS) are TypeErrors with the reason in `cause`.
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    const message = cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
    return new UpstreamError({ connector, operation, kind: 'transient', message: `delivery failed: ${message}`, cause: err });
  };
}
