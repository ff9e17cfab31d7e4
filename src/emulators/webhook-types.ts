// The shapes of an emulator's webhook sender (webhooks.ts): how a provider signs and frames its
// deliveries, and what the sender counts.
export interface SignInput {
  url: string;
  body: string;
  secret: string;
  /** Unix time in ms (ten minutes old for a stale attempt). */
  timestamp: number;
}

export interface WebhookSenderOptions {
  /** The provider's signature headers for one attempt. */
  sign(input: SignInput): Record<string, string>;
  /** The body of one delivery; `attempt` counts from 1 (some senders put it in every event). */
  render?(events: unknown[], attempt: number): string;
  /** Headers every delivery carries (user-agent). */
  headers?: Record<string, string>;
  /** Several events per delivery: up to `max`, collected for `windowMs` (as some senders batch). */
  batch?: { max: number; windowMs: number };
  concurrency?: number;
  /** Waits before each retry; its length + 1 is the number of attempts. */
  retryDelaysMs?: number[];
  timeoutMs?: number;
}

export type SenderSettings = Pick<Required<WebhookSenderOptions>, 'concurrency' | 'retryDelaysMs' | 'timeoutMs'>;

export interface WebhookStats {
  /** Events queued (once per endpoint). `delivered`, `failed` and `pending` count events too. */
  events: number;
  /** HTTP requests made, retries included. */
  sent: number;
  retries: number;
  delivered: number;
  /** Events whose delivery gave up after the last attempt. */
  failed: number;
  pending: number;
  /** Answers by status code; `network` for refused connections and timeouts. */
  byStatus: Record<string, number>;
}
