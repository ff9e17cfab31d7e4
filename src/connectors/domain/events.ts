// Events in, as the rest of Switchyard sees them: a delivery to verify, the events it carried,
// and what an event changed, in domain words. Each connector module with webhooks turns its
// system's deliveries into these (src/connectors/<name>/webhooks.ts); src/events/ does the rest.
import type { IncomingHttpHeaders } from 'node:http';
import type { CrmContactRecord } from './crm.ts';
import type { PaymentRecord, ProviderCustomer } from './payments.ts';

export interface WebhookDelivery {
  /** The bytes as they arrived: signatures cover them, not a re-serialised JSON. */
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
  /** The URL the sender called (PUBLIC_URL and the path, or as this server saw it). */
  url: string;
  method: string;
  receivedAt: Date;
}

export interface InboundEvent {
  /** The sender's id of the event: the inbox is unique on (instance, eventId). */
  eventId: string;
  type: string;
  /** The object it concerns (a payment, a customer, a contact), when it names one. */
  objectId: string | null;
  /** When the change happened upstream (for the change-to-visible latency). */
  occurredAt: Date;
  /** The event as sent (JSON), kept in the inbox for replay and inspection. */
  payload: unknown;
}

/** A delivery refused before anything is stored: a bad or stale signature, or a body that is not an event. */
export class WebhookRefusal extends Error {
  constructor(
    /** What the sender expects for it (some answer a bad signature 400, others 401). */
    readonly status: 400 | 401,
    readonly reason: 'signature' | 'stale' | 'malformed' | 'not_configured',
    message: string,
  ) {
    super(message);
    this.name = 'WebhookRefusal';
  }
}

/** What an event changed, read from the object's current state (never from the event's order). */
export type DomainChange =
  | { kind: 'payment'; payment: PaymentRecord }
  | { kind: 'paymentsCustomer'; providerCustomerId: string; deleted: boolean; customer: ProviderCustomer | null }
  | { kind: 'contact'; contactId: string; deleted: boolean; contact: CrmContactRecord | null };
