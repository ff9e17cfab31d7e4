// The emulators' outbound webhooks, through the public entry points: startEmulators(), the real
// stripe and HubSpot SDKs, the control API, and a local receiver that keeps the raw bytes. Stripe
// deliveries are checked with the SDK's own Stripe.webhooks.constructEvent, HubSpot's with the
// v3 formula, so the emulators prove what a receiver of the real systems must cope with.
import { createHmac } from 'node:crypto';
import { Client } from '@hubspot/api-client';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulators, type RunningEmulators } from '../../src/emulators/index.ts';
import type { WebhookSender } from '../../src/emulators/webhooks.ts';
import { WebhookReceiver, type Received } from '../helpers/webhook-receiver.ts';

const STRIPE_SECRET = 'whsec_test_emulator';
const HUBSPOT_SECRET = 'hubspot-client-secret';
let emus: RunningEmulators;
let receiver: WebhookReceiver;
let stripe: Stripe;
let hubspot: Client;
let stripeHooks: WebhookSender;
let hubspotHooks: WebhookSender;

async function control(base: string, path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, { method, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return { status: res.status, body: await res.json() };
}

const stripeEvent = (r: Received, tolerance = 300) =>
  Stripe.webhooks.constructEvent(r.rawBody, r.headers['stripe-signature'] as string, STRIPE_SECRET, tolerance);
const stripeEvents = () => receiver.at('/webhooks/stripe').map((r) => stripeEvent(r));

function hubspotValid(r: Received, secret = HUBSPOT_SECRET): boolean {
  const timestamp = r.headers['x-hubspot-request-timestamp'] as string;
  const expected = createHmac('sha256', secret)
    .update(`POST${r.url}${r.rawBody.toString('utf8')}${timestamp}`, 'utf8')
    .digest('base64');
  return expected === r.headers['x-hubspot-signature-v3'];
}
const hubspotEvents = (): any[] => receiver.at('/webhooks/hubspot').flatMap((r) => JSON.parse(r.rawBody.toString('utf8')) as unknown[]);

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  emus = await startEmulators({ customers: 30 });
  stripeHooks = emus.stripe.webhooks!;
  hubspotHooks = emus.hubspot.webhooks!;
  const { port } = new URL(emus.urls.stripe);
  stripe = new Stripe('sk_test_demo', { host: '127.0.0.1', port: Number(port), protocol: 'http', maxNetworkRetries: 0 });
  hubspot = new Client({ accessToken: 'demo', basePath: emus.urls.hubspot, numberOfApiCallRetries: 0 });
});
afterAll(async () => {
  await emus.stop();
  await receiver.stop();
});
beforeEach(async () => {
  for (const base of [emus.urls.stripe, emus.urls.hubspot]) {
    await control(base, '/__control/webhooks', 'DELETE');
    await control(base, '/__control/webhooks/faults', 'DELETE');
  }
  await control(emus.urls.stripe, '/__control/webhooks', 'POST', { url: receiver.url('/webhooks/stripe'), secret: STRIPE_SECRET });
  await control(emus.urls.hubspot, '/__control/webhooks', 'POST', { url: receiver.url('/webhooks/hubspot'), secret: HUBSPOT_SECRET });
  for (const hooks of [stripeHooks, hubspotHooks]) {
    hooks.resetStats();
    hooks.configure({ concurrency: 4, retryDelaysMs: [200, 1_000, 5_000, 5_000] });
  }
  receiver.clear();
});

describe('Stripe webhooks', () => {
  it('sends signed events for a customer, a confirmed payment and a refund', async () => {
    const customer = await stripe.customers.create({ email: 'hooks@example.com' }, { idempotencyKey: 'create-hooks-customer' });
    await stripe.customers.create({ email: 'hooks@example.com' }, { idempotencyKey: 'create-hooks-customer' }); // a replay: no new event
    await stripe.customers.update(customer.id, { name: 'Hook Person', metadata: { tier: 'gold' } });
    const pi = await stripe.paymentIntents.create({ amount: 2_500, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa' });
    await stripe.paymentIntents.confirm(pi.id);
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 1_000 });
    await stripeHooks.idle();

    const events = stripeEvents();
    expect(events.map((e) => e.type).sort()).toEqual(
      [
        'charge.refunded',
        'charge.succeeded',
        'customer.created',
        'customer.updated',
        'payment_intent.created',
        'payment_intent.succeeded',
        'refund.created',
      ].sort(),
    );
    const byType = Object.fromEntries(events.map((e) => [e.type, e as any]));
    for (const e of events) expect(e).toMatchObject({ object: 'event', livemode: false, pending_webhooks: 1, api_version: expect.any(String) });
    expect(byType['customer.created']).toMatchObject({
      request: { idempotency_key: 'create-hooks-customer' },
      data: { object: { id: customer.id, email: 'hooks@example.com' } },
    });
    expect(byType['customer.created'].request.id).toMatch(/^req_/);
    expect(byType['customer.updated'].data.previous_attributes).toEqual({ name: null, metadata: { tier: null } });
    expect(byType['payment_intent.succeeded'].data.object).toMatchObject({ id: pi.id, status: 'succeeded', amount_received: 2_500 });
    expect(byType['charge.succeeded'].data.object).toMatchObject({ object: 'charge', payment_intent: pi.id, status: 'succeeded' });
    expect(byType['charge.refunded'].data).toMatchObject({
      object: { payment_intent: pi.id, amount_refunded: 1_000 },
      previous_attributes: { amount_refunded: 0 },
    });
    expect(byType['refund.created'].data.object).toMatchObject({ id: refund.id, payment_intent: pi.id, amount: 1_000 });
    const first = receiver.at('/webhooks/stripe')[0]!;
    expect(first.headers['user-agent']).toMatch(/^Stripe\/1\.0/);
    expect(first.headers['content-type']).toMatch(/^application\/json/);

    const listed = await control(emus.urls.stripe, '/__control/webhooks');
    expect(listed.body.endpoints).toEqual([{ url: receiver.url('/webhooks/stripe') }]);
    expect(JSON.stringify(listed.body)).not.toContain(STRIPE_SECRET);
    expect(listed.body.stats).toMatchObject({ delivered: 7, failed: 0, pending: 0, byStatus: { '200': 7 } });
  });

  it('sends a declined confirmation and a cancellation', async () => {
    const declined = await stripe.paymentIntents.create({ amount: 900, currency: 'eur' });
    await expect(stripe.paymentIntents.confirm(declined.id, { payment_method: 'pm_card_chargeDeclined' })).rejects.toThrow(/declined/);
    await stripe.paymentIntents.cancel(declined.id);
    await stripeHooks.idle();
    expect(stripeEvents().map((e) => e.type)).toEqual(expect.arrayContaining(['charge.failed', 'payment_intent.payment_failed', 'payment_intent.canceled']));
  });
});

describe('HubSpot webhooks', () => {
  it('sends batched, v3-signed events for a create, an update and an archive', async () => {
    const created = await hubspot.crm.contacts.basicApi.create({ properties: { email: 'hooked@example.com', firstname: 'Hook' }, associations: [] });
    await hubspotHooks.idle();
    const changes = { email: 'hooked2@example.com', firstname: 'Hooky', lifecyclestage: 'customer', company: 'Hooks Inc' };
    await hubspot.crm.contacts.basicApi.update(created.id, { properties: changes });
    await hubspotHooks.idle();
    await hubspot.crm.contacts.basicApi.archive(created.id);
    await hubspotHooks.idle();

    const requests = receiver.at('/webhooks/hubspot');
    for (const r of requests) {
      expect(hubspotValid(r)).toBe(true);
      expect(Math.abs(Number(r.headers['x-hubspot-request-timestamp']) - Date.now())).toBeLessThan(10_000);
    }
    // The four property changes of one update leave in one batch.
    expect(requests.map((r) => JSON.parse(r.rawBody.toString()).length)).toEqual([1, 4, 1]);
    const events = hubspotEvents();
    const objectId = Number(created.id);
    expect(events[0]).toMatchObject({ subscriptionType: 'contact.creation', objectId, attemptNumber: 0, changeSource: 'CRM' });
    const changed = events.filter((e) => e.subscriptionType === 'contact.propertyChange');
    expect(Object.fromEntries(changed.map((e) => [e.propertyName, e.propertyValue]))).toEqual(changes);
    expect(events.at(-1)).toMatchObject({ subscriptionType: 'contact.deletion', objectId });
    for (const e of events)
      expect(e).toMatchObject({
        eventId: expect.any(Number),
        subscriptionId: expect.any(Number),
        portalId: expect.any(Number),
        appId: expect.any(Number),
        occurredAt: expect.any(Number),
      });
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  });

  it('retries a receiver that answers 500, counting attempts, until it answers 200', async () => {
    receiver.respond = (_r, i) => (i < 2 ? 500 : 200);
    expect((await control(emus.urls.hubspot, '/__control/webhooks/emit', 'POST', { count: 1 })).body).toEqual({ emitted: 1 });
    await hubspotHooks.idle();
    const attempts = receiver.at('/webhooks/hubspot');
    expect(attempts).toHaveLength(3);
    const bodies = attempts.map((r) => JSON.parse(r.rawBody.toString())[0]);
    expect(bodies.map((e) => e.attemptNumber)).toEqual([0, 1, 2]);
    expect(new Set(bodies.map((e) => e.eventId)).size).toBe(1);
    for (const r of attempts) expect(hubspotValid(r)).toBe(true);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(150);
    expect(hubspotHooks.stats()).toMatchObject({ sent: 3, retries: 2, delivered: 1, failed: 0, pending: 0, byStatus: { '500': 2, '200': 1 } });
  });

  it('gives up on an endpoint that refuses connections', async () => {
    hubspotHooks.clear();
    hubspotHooks.register('http://127.0.0.1:9/webhooks/hubspot', HUBSPOT_SECRET);
    hubspotHooks.configure({ retryDelaysMs: [20] });
    await control(emus.urls.hubspot, '/__control/webhooks/emit', 'POST', { count: 2 });
    await hubspotHooks.idle();
    expect(hubspotHooks.stats()).toMatchObject({ sent: 2, delivered: 0, failed: 2, pending: 0, byStatus: { network: 2 } });
  });
});

describe('delivery faults', () => {
  it('duplicates: the same event, with the same id, arrives twice', async () => {
    await control(emus.urls.stripe, '/__control/webhooks/faults', 'POST', { duplicateRate: 1 });
    await control(emus.urls.stripe, '/__control/webhooks/emit', 'POST', { count: 5 });
    await stripeHooks.idle();
    const ids = stripeEvents().map((e) => e.id);
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(5);
  });

  it('reorder: a held window is released shuffled', async () => {
    stripeHooks.configure({ concurrency: 1 }); // one at a time, so arrival order is release order
    stripeHooks.setFaults({ reorderWindow: 20, seed: 42 });
    await control(emus.urls.stripe, '/__control/webhooks/emit', 'POST', { count: 20 });
    await stripeHooks.idle();
    const order = stripeEvents().map((e) => Number((e.data.object as Stripe.Customer).metadata.emulator_burst));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => order.reduce((m, n) => Math.min(m, n)) + i));
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
  });

  it('bad signatures fail verification; stale ones carry a timestamp ten minutes old', async () => {
    stripeHooks.setFaults({ badSignatureRate: 1 });
    hubspotHooks.setFaults({ badSignatureRate: 1 });
    await control(emus.urls.stripe, '/__control/webhooks/emit', 'POST', { count: 2 });
    await control(emus.urls.hubspot, '/__control/webhooks/emit', 'POST', { count: 2 });
    await Promise.all([stripeHooks.idle(), hubspotHooks.idle()]);
    for (const r of receiver.at('/webhooks/stripe')) expect(() => stripeEvent(r)).toThrow(Stripe.errors.StripeSignatureVerificationError);
    for (const r of receiver.at('/webhooks/hubspot')) expect(hubspotValid(r)).toBe(false);

    receiver.clear();
    stripeHooks.setFaults({ staleRate: 1 });
    hubspotHooks.setFaults({ staleRate: 1 });
    await control(emus.urls.stripe, '/__control/webhooks/emit', 'POST', { count: 1 });
    await control(emus.urls.hubspot, '/__control/webhooks/emit', 'POST', { count: 1 });
    await Promise.all([stripeHooks.idle(), hubspotHooks.idle()]);
    const [stale] = receiver.at('/webhooks/stripe');
    expect(() => stripeEvent(stale!)).toThrow(/tolerance/i);
    expect(stripeEvent(stale!, 3_600).type).toBe('customer.updated'); // rightly signed, only old
    const [hub] = receiver.at('/webhooks/hubspot');
    expect(hubspotValid(hub!)).toBe(true);
    expect(Date.now() - Number(hub!.headers['x-hubspot-request-timestamp'])).toBeGreaterThan(9 * 60_000);
  });
});

describe('bursts, control input and stop', () => {
  it('emit with count 200 delivers 200 events from each emulator', async () => {
    const [s, h] = await Promise.all([
      control(emus.urls.stripe, '/__control/webhooks/emit', 'POST', { count: 200 }),
      control(emus.urls.hubspot, '/__control/webhooks/emit', 'POST', { count: 200 }),
    ]);
    expect([s.body, h.body]).toEqual([{ emitted: 200 }, { emitted: 200 }]);
    await Promise.all([stripeHooks.idle(), hubspotHooks.idle()]);
    const events = stripeEvents();
    expect(new Set(events.map((e) => e.id)).size).toBe(200);
    expect(new Set(events.map((e) => (e.data.object as Stripe.Customer).id)).size).toBeGreaterThanOrEqual(30); // every seeded customer
    expect(new Set(hubspotEvents().map((e) => e.eventId)).size).toBe(200);
    expect(receiver.at('/webhooks/hubspot').every((r) => hubspotValid(r))).toBe(true);
    expect(stripeHooks.stats()).toMatchObject({ delivered: 200, pending: 0 });
  });

  it('answers bad control input with 400 and a JSON error', async () => {
    const base = emus.urls.stripe;
    for (const [path, body] of [
      ['/__control/webhooks', '{not json'],
      ['/__control/webhooks', { url: 'ftp://x', secret: 's' }],
      ['/__control/webhooks', { url: receiver.url('/x') }],
      ['/__control/webhooks/faults', { duplicateRate: 2 }],
      ['/__control/webhooks/faults', { nonsense: true }],
      ['/__control/webhooks/emit', { count: 0 }],
      ['/__control/webhooks/emit', { count: 1, kind: 'invoice' }],
    ] as const) {
      const res = await control(base, path, 'POST', body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.error.message).toEqual(expect.any(String));
    }
    expect((await control(emus.urls.openai, '/__control/webhooks')).status).toBe(404);
  });

  it('stop drops pending deliveries and leaves no timers behind', async () => {
    const own = await startEmulators({ customers: 5 });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    receiver.respond = () => 500;
    own.stripe.webhooks!.register(receiver.url('/webhooks/doomed'), STRIPE_SECRET);
    own.stripe.webhooks!.setFaults({ reorderWindow: 50 });
    await control(own.urls.stripe, '/__control/webhooks/emit', 'POST', { count: 3, kind: 'refund' });
    await new Promise((r) => setTimeout(r, 400)); // released, tried, failed, waiting to retry
    expect(receiver.at('/webhooks/doomed').length).toBeGreaterThan(0);
    expect(own.stripe.webhooks!.stats().pending).toBe(6);
    expect(timers()).toBeGreaterThan(before); // the retries' timers
    await own.stop();
    await own.stripe.webhooks!.idle();
    expect(own.stripe.webhooks!.stats().pending).toBe(0);
    const seen = receiver.at('/webhooks/doomed').length;
    await new Promise((r) => setTimeout(r, 1_300));
    expect(receiver.at('/webhooks/doomed').length).toBe(seen);
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
