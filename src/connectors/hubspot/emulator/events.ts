// HubSpot's webhooks for the contact changes the emulator makes: one event per creation, per
// changed property and per archive, batched up to 100 to a request, signed with the v3 scheme
// (and the older v1 header HubSpot still sends beside it).
import { createHash } from 'node:crypto';
import { decodeUri, signV3 as signHubSpotV3 } from '../webhooks.ts';
import { WebhookSender } from '../../../emulators/webhooks.ts';
import type { ContactRecord } from './store.ts';

export type SubscriptionType = 'contact.creation' | 'contact.propertyChange' | 'contact.deletion';

/** The ids of the emulated developer app and portal (any fixed numbers do). */
export const PORTAL_ID = 62515;
export const APP_ID = 1160452;
const SUBSCRIPTION_IDS: Record<SubscriptionType, number> = { 'contact.creation': 4100001, 'contact.propertyChange': 4100002, 'contact.deletion': 4100003 };

/** base64 HMAC-SHA256 of method + URL + body + timestamp (ms), keyed by the app's client secret. */
export function signV3(secret: string, url: string, body: string, timestamp: string): string {
  // The same formula the receiving side checks (../webhooks.ts), one copy of it in this folder.
  return signHubSpotV3(secret, 'POST', decodeUri(url), body, timestamp);
}

export function hubspotSender(): WebhookSender {
  return new WebhookSender({
    sign: ({ url, body, secret, timestamp }) => ({
      'X-HubSpot-Signature-v3': signV3(secret, url, body, String(timestamp)),
      'X-HubSpot-Request-Timestamp': String(timestamp),
      'X-HubSpot-Signature': createHash('sha256').update(`${secret}${body}`, 'utf8').digest('hex'),
      'X-HubSpot-Signature-Version': 'v1',
    }),
    // Every event of a delivery carries the attempt number, 0 on the first try.
    render: (events, attempt) => JSON.stringify(events.map((e) => ({ ...(e as object), attemptNumber: attempt - 1 }))),
    batch: { max: 100, windowMs: 50 },
    headers: { 'user-agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon' },
  });
}

export class HubspotEvents {
  readonly sender: WebhookSender;
  // Event ids are numbers, unique across restarts because they start from the clock.
  private nextEventId = Date.now() * 10;

  constructor(sender: WebhookSender) {
    this.sender = sender;
  }

  created(c: ContactRecord): void {
    this.send('contact.creation', c);
  }

  /** One propertyChange per property whose value `before` (the old values) differs from now. */
  changed(c: ContactRecord, before: Record<string, string | undefined>): void {
    for (const [name, was] of Object.entries(before)) {
      const value = c.properties[name];
      if (value !== was) this.send('contact.propertyChange', c, { propertyName: name, propertyValue: value ?? '' });
    }
  }

  archived(c: ContactRecord): void {
    this.send('contact.deletion', c);
  }

  private send(subscriptionType: SubscriptionType, c: ContactRecord, property?: { propertyName: string; propertyValue: string }): void {
    if (this.sender.endpointCount === 0) return;
    this.sender.send({
      eventId: this.nextEventId++,
      subscriptionId: SUBSCRIPTION_IDS[subscriptionType],
      portalId: PORTAL_ID,
      appId: APP_ID,
      occurredAt: Date.now(),
      subscriptionType,
      attemptNumber: 0,
      objectId: Number(c.id),
      ...property,
      changeSource: 'CRM',
    });
  }
}
