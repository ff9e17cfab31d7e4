// Stripe's webhooks: `Stripe-Signature` checked by the SDK on the raw bytes (300 s tolerance,
// every configured secret tried, so a rotation never drops a delivery), and what each event type
// changes, re-read from Stripe through the pipeline: events are thin and arrive out of order, so
// the object's state now, not the event's copy, is what is applied.
import { loadStripeSdk } from './sdk.ts';
import type { ConnectorWebhooks } from '../module.ts';
import { WebhookRefusal, type DomainChange, type InboundEvent } from '../domain/events.ts';
import type { PaymentsConnector } from '../domain/payments.ts';
import type { StripePaymentsConnector } from './client.ts';
import type { StripeSettings } from './index.ts';

export const TOLERANCE_SECONDS = 300;

interface EventShape {
  id?: unknown;
  type?: unknown;
  created?: unknown;
  data?: { object?: { id?: unknown; object?: unknown; payment_intent?: unknown; customer?: unknown } };
}

function objectId(e: EventShape): string | null {
  const o = e.data?.object;
  if (!o) return null;
  // A charge or refund concerns its payment intent; everything else is its own object.
  if ((o.object === 'charge' || o.object === 'refund') && typeof o.payment_intent === 'string') return o.payment_intent;
  return typeof o.id === 'string' ? o.id : null;
}

export const stripeWebhooks: ConnectorWebhooks<'payments', StripeSettings> = {
  async verify(delivery, settings) {
    const header = delivery.headers['stripe-signature'];
    if (!settings.webhookSecrets.length) throw new WebhookRefusal(400, 'not_configured', 'No webhook signing secret is configured (STRIPE_WEBHOOK_SECRET)');
    if (typeof header !== 'string') throw new WebhookRefusal(400, 'signature', 'The Stripe-Signature header is missing');
    const Stripe = await loadStripeSdk();
    let event: EventShape | undefined;
    let stale = false;
    for (const secret of settings.webhookSecrets) {
      try {
        // receivedAt in milliseconds: the SDK divides it by 1000 itself.
        event = Stripe.webhooks.constructEvent(delivery.rawBody, header, secret, TOLERANCE_SECONDS, undefined, delivery.receivedAt.getTime()) as EventShape;
        break;
      } catch (err) {
        if (!(err instanceof Stripe.errors.StripeSignatureVerificationError)) throw new WebhookRefusal(400, 'malformed', 'The body is not a Stripe event');
        stale ||= /tolerance/i.test(err.message);
      }
    }
    if (!event)
      throw new WebhookRefusal(
        400,
        stale ? 'stale' : 'signature',
        stale ? 'The signature is older than the 300 s tolerance' : 'No signature matches a configured secret',
      );
    if (typeof event.id !== 'string' || typeof event.type !== 'string' || typeof event.created !== 'number') {
      throw new WebhookRefusal(400, 'malformed', 'The body is not a Stripe event (id, type and created are required)');
    }
    const inbound: InboundEvent = {
      eventId: event.id,
      type: event.type,
      objectId: objectId(event),
      occurredAt: new Date(event.created * 1000),
      payload: event,
    };
    return [inbound];
  },

  async interpret(event, instance: PaymentsConnector): Promise<DomainChange[]> {
    const stripe = instance as StripePaymentsConnector;
    if (!event.objectId) return [];
    if (event.type.startsWith('payment_intent.') || event.type === 'charge.refunded' || event.type.startsWith('refund.')) {
      const payment = await stripe.readPayment(event.objectId);
      return payment ? [{ kind: 'payment', payment }] : [];
    }
    if (event.type === 'customer.updated' || event.type === 'customer.deleted' || event.type === 'customer.created') {
      // The customer as it is now (its email and name for the field sync), whatever the event's previous_attributes say.
      const customer = await stripe.readCustomer(event.objectId);
      return [{ kind: 'paymentsCustomer', providerCustomerId: event.objectId, deleted: customer === null, customer }];
    }
    // Other types are kept in the inbox (and visible) but change nothing here.
    return [];
  },

  async register(emulatorUrl, endpointUrl, settings) {
    const res = await fetch(`${emulatorUrl}/__control/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: endpointUrl, secret: settings.webhookSecrets[0] }),
    });
    if (!res.ok) throw new Error(`The Stripe emulator refused the webhook endpoint: ${res.status}`);
  },
};
