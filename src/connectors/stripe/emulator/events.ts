// Stripe's webhooks for the changes the emulator makes: an Event object per change, carrying the
// object as the API returns it (unexpanded), signed in `Stripe-Signature` as Stripe signs it, so
// the receiving side can verify with the real SDK (`Stripe.webhooks.constructEvent`).
import { createHmac } from 'node:crypto';
import { WebhookSender } from '../../../emulators/webhooks.ts';
import { DEFAULT_API_VERSION } from './api.ts';
import { newId } from './objects.ts';

/** The API request that caused an event (both null for the emulator's own bursts). */
export interface EventRequest {
  id: string | null;
  idempotency_key: string | null;
}

export type EmitEvent = (type: string, object: object, previous?: Record<string, unknown>) => void;

export function stripeSignature(secret: string, timestampMs: number, body: string): string {
  const t = Math.floor(timestampMs / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex')}`;
}

export function stripeSender(): WebhookSender {
  return new WebhookSender({
    sign: ({ secret, timestamp, body }) => ({ 'Stripe-Signature': stripeSignature(secret, timestamp, body) }),
    // Stripe sends one event per delivery, pretty-printed: a receiver that re-serialises the
    // parsed body instead of verifying the raw bytes fails, as it would against Stripe.
    render: (events) => JSON.stringify(events[0], null, 2),
    headers: {
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'content-type': 'application/json; charset=utf-8',
      accept: '*/*; q=0.5, application/xml',
      'cache-control': 'no-cache',
    },
  });
}

export class StripeEvents {
  readonly sender: WebhookSender;
  private readonly now: () => number;

  /** `now`: the account's clock (StripeStore.now), which an event's `created` is read from. */
  constructor(sender: WebhookSender, now: () => number = () => Math.floor(Date.now() / 1000)) {
    this.sender = sender;
    this.now = now;
  }

  /** An emitter for the events of one API request. */
  forRequest(request: EventRequest | null): EmitEvent {
    const req = request ?? { id: null, idempotency_key: null };
    return (type, object, previous) => {
      // No endpoint: no event is built (a benchmark's writes stay cheap).
      if (this.sender.endpointCount === 0) return;
      const data = previous ? { object: structuredClone(object), previous_attributes: previous } : { object: structuredClone(object) };
      this.sender.send({
        id: newId('evt'),
        object: 'event',
        api_version: DEFAULT_API_VERSION,
        created: this.now(),
        data,
        livemode: false,
        pending_webhooks: this.sender.endpointCount,
        request: req,
        type,
      });
    };
  }
}

const isHash = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `previous_attributes` of an update: the old value of each changed field; for a hash such as
 * metadata, only its changed keys (null where a key was added), as Stripe reports them.
 * Undefined when nothing changed, since Stripe then sends no event.
 */
export function previousAttributes(before: object, after: object): Record<string, unknown> | undefined {
  const old = before as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    const was = old[key];
    if (JSON.stringify(was) === JSON.stringify(value)) continue;
    if (isHash(was) && isHash(value) && key === 'metadata') {
      const keys = new Set([...Object.keys(was), ...Object.keys(value)]);
      out[key] = Object.fromEntries([...keys].filter((k) => was[k] !== value[k]).map((k) => [k, was[k] ?? null]));
    } else out[key] = was ?? null;
  }
  return Object.keys(out).length ? out : undefined;
}
