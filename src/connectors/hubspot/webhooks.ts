// HubSpot's webhooks (v3): `X-HubSpot-Signature-v3` is the base64 HMAC-SHA256, keyed by the app's
// client secret, of method + the URL HubSpot called + body + `X-HubSpot-Request-Timestamp`; a
// timestamp over 5 minutes old is refused. A delivery carries up to 100 events; each is re-read
// from HubSpot through the pipeline when it is processed, so their order does not matter.
// Hand-written: @hubspot/api-client has a v1/v2 validator but none for v3 that takes the raw bytes.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ConnectorWebhooks } from '../module.ts';
import { WebhookRefusal, type DomainChange, type InboundEvent } from '../domain/events.ts';
import type { CrmConnector } from '../domain/crm.ts';
import type { HubSpotCrmConnector } from './client.ts';
import type { HubSpotSettings } from './index.ts';

export const MAX_AGE_MS = 5 * 60_000;

/** The v3 signature of a request, as HubSpot computes it. */
export function signV3(secret: string, method: string, url: string, body: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${method}${url}${body}${timestamp}`, 'utf8').digest('base64');
}

// HubSpot decodes these URL-encoded characters of the URI before signing (its v3 docs).
const DECODE: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};
export const decodeUri = (url: string) => url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODE[m.toUpperCase()]!);

interface HubSpotEvent {
  eventId?: unknown;
  subscriptionType?: unknown;
  objectId?: unknown;
  occurredAt?: unknown;
}

export const hubspotWebhooks: ConnectorWebhooks<'crm', HubSpotSettings> = {
  verify(delivery, settings) {
    if (!settings.clientSecrets.length) throw new WebhookRefusal(401, 'not_configured', 'No client secret is configured (HUBSPOT_CLIENT_SECRET)');
    const signature = delivery.headers['x-hubspot-signature-v3'];
    const timestamp = delivery.headers['x-hubspot-request-timestamp'];
    if (typeof signature !== 'string' || typeof timestamp !== 'string' || !/^\d{10,16}$/.test(timestamp)) {
      throw new WebhookRefusal(401, 'signature', 'The X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp headers are required');
    }
    if (Math.abs(delivery.receivedAt.getTime() - Number(timestamp)) > MAX_AGE_MS)
      throw new WebhookRefusal(401, 'stale', 'The request timestamp is more than 5 minutes off');
    const body = delivery.rawBody.toString('utf8');
    const given = Buffer.from(signature, 'base64');
    const ok = settings.clientSecrets.some((secret) => {
      const expected = Buffer.from(signV3(secret, delivery.method, decodeUri(delivery.url), body, timestamp), 'base64');
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (!ok) throw new WebhookRefusal(401, 'signature', 'No signature matches a configured client secret');
    let events: unknown;
    try {
      events = JSON.parse(body);
    } catch {
      throw new WebhookRefusal(400, 'malformed', 'The body is not JSON');
    }
    if (!Array.isArray(events) || events.length === 0 || events.length > 100)
      throw new WebhookRefusal(400, 'malformed', 'The body is not an array of 1 to 100 events');
    return events.map((e: HubSpotEvent): InboundEvent => {
      if ((typeof e?.eventId !== 'number' && typeof e?.eventId !== 'string') || typeof e.subscriptionType !== 'string' || typeof e.occurredAt !== 'number') {
        throw new WebhookRefusal(400, 'malformed', 'Each event needs eventId, subscriptionType and occurredAt');
      }
      const objectId = typeof e.objectId === 'number' || typeof e.objectId === 'string' ? String(e.objectId) : null;
      return { eventId: String(e.eventId), type: e.subscriptionType, objectId, occurredAt: new Date(e.occurredAt), payload: e };
    });
  },

  async interpret(event, instance: CrmConnector): Promise<DomainChange[]> {
    if (!event.objectId || !event.type.startsWith('contact.')) return [];
    const contact = await (instance as HubSpotCrmConnector).readContact(event.objectId);
    return [{ kind: 'contact', contactId: event.objectId, deleted: contact === null, contact }];
  },

  async register(emulatorUrl, endpointUrl, settings) {
    const res = await fetch(`${emulatorUrl}/__control/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: endpointUrl, secret: settings.clientSecrets[0] }),
    });
    if (!res.ok) throw new Error(`The HubSpot emulator refused the webhook endpoint: ${res.status}`);
  },
};
