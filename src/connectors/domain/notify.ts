// The notify domain as the rest of Switchyard sees it: a message, and something that delivers
// it. Which transports exist is the notification module's business.
export type Severity = 'info' | 'warning' | 'critical';

export interface NotifyMessage {
  /** What happened, as a dotted name receivers can route on (e.g. `alert.firing`). */
  event: string;
  /** One line a person reads first. */
  title: string;
  /** The detail, plain text. */
  text: string;
  /** Facts a receiver may act on (shown as fields in chat, passed as JSON to a webhook). */
  data: Record<string, string | number | boolean | null>;
  severity: Severity;
  /** Messages about one thing share it (an alert's firing and its resolution), so a receiver can pair them. */
  dedupeKey?: string;
  /**
   * One message however often it is sent: a transport that has a message id (a signed webhook's
   * `webhook-id`) derives it from this key, so its receiver keeps one copy of a resend (a
   * workflow step run again after a crash). A chat transport has no such id: a resend is a second line.
   */
  idempotencyKey?: string;
}

export interface Notifier {
  /** Instance name (one per transport): its own breaker, quota and bulkhead. */
  readonly name: string;
  readonly mode: 'demo' | 'live';
  /** The receiver's origin only: a webhook URL's path is a secret. */
  readonly baseUrl: string;
  /**
   * Queues the message and returns at once: deliveries leave one at a time in the order queued,
   * outside the caller's request. Resolves when delivered; rejects with an UpstreamError when
   * the receiver refused it or stayed down through every retry.
   */
  notify(message: NotifyMessage): Promise<void>;
  /** Waits for queued deliveries, at most timeoutMs. */
  close(timeoutMs?: number): Promise<void>;
}
