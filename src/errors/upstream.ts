// What connectors throw: every SDK error is mapped into one of these kinds by the connector's
// own errors.ts, so nothing above the connector ever looks at an SDK's error classes.
export type UpstreamErrorKind =
  | 'transient' // network failure, 5xx: worth a retry
  | 'timeout' // our own deadline passed
  | 'rate_limited' // 429: retry after retryAfterMs
  | 'auth' // expired or wrong credentials: never retried, alerted
  | 'rejected' // the upstream refused the input (declined card, validation)
  | 'not_found' // the upstream has no such object
  | 'conflict' // idempotency key reused with other parameters, or a duplicate
  | 'contract' // the payload no longer matches what we expect
  | 'circuit_open' // we stopped calling it for a while
  | 'cancelled' // our own caller went away: says nothing about the upstream's health
  | 'busy'; // another request holds the object or the idempotency key: retry with the same key; says nothing about its health

export interface UpstreamErrorInit {
  connector: string;
  operation: string;
  kind: UpstreamErrorKind;
  message: string;
  status?: number;
  /** The upstream's own error code (e.g. card_declined). */
  upstreamCode?: string;
  /** The input field the upstream complained about, when it says. */
  field?: string;
  retryAfterMs?: number;
  requestId?: string;
  /** A `rejected` input that is a prompt too long for the model's context window (the AI router may ask a larger one). */
  contextLength?: boolean;
  cause?: unknown;
}

export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly connector: string;
  readonly operation: string;
  readonly kind: UpstreamErrorKind;
  readonly status: number | undefined;
  readonly upstreamCode: string | undefined;
  readonly field: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;
  readonly contextLength: boolean;

  constructor(init: UpstreamErrorInit) {
    super(init.message, { cause: init.cause });
    this.connector = init.connector;
    this.operation = init.operation;
    this.kind = init.kind;
    this.status = init.status;
    this.upstreamCode = init.upstreamCode;
    this.field = init.field;
    this.retryAfterMs = init.retryAfterMs;
    this.requestId = init.requestId;
    this.contextLength = init.contextLength ?? false;
  }
}

/** Parses Retry-After (seconds or an HTTP date) and retry-after-ms into milliseconds. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
