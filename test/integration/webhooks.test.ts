// Webhooks in over HTTP, as Stripe and HubSpot send them: verified on the raw bytes, stored once
// with their job, processed by re-reading the object, and fresh in the graph within seconds.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { FaultController } from '../../src/emulators/faults.ts';
import { signV3 } from '../../src/connectors/hubspot/webhooks.ts';
import { DEMO_SECRET_KEY } from '../../src/connectors/stripe/index.ts';

const STRIPE_SECRETS = ['whsec_test_old_0123456789abcdef', 'whsec_test_new_0123456789abcdef'];
const HUBSPOT_SECRET = 'hubspot-client-secret-for-tests';
const PUBLIC_URL = 'https://switchyard.example';

function policyFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sy-webhooks-')), 'policy.json');
  // Fast breaker cycles, so a failing upstream, then a recovered one, fit in a test.
  writeFileSync(file, JSON.stringify({ stripe: { maxAttempts: 2, backoffMs: 5, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 200 } } }));
  return file;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(BACKENDS)('webhooks in on %s', (backend) => {
  let stack: Stack;
  let stripe: Stripe;
  let n = 0;

  beforeAll(async () => {
    stack = await startStack(backend, {
      jobs: () => {},
      env: {
        STRIPE_WEBHOOK_SECRET: STRIPE_SECRETS.join(','),
        HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
        PUBLIC_URL,
        WEBHOOK_RETRIES: '1',
        WEBHOOK_RETRY_DELAY_SECONDS: '0',
        POLICY_FILE: policyFile(),
      },
    });
    const url = new URL(stack.emulators.urls.stripe);
    stripe = new Stripe(DEMO_SECRET_KEY, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
  }, 120_000);
  afterAll(() => stack?.stop());

  const post = (provider: string, payload: string, headers: Record<string, string>) =>
    stack.server.app.inject({ method: 'POST', url: `/webhooks/${provider}`, payload, headers: { 'content-type': 'application/json', ...headers } });

  const stripeEvent = (type: string, object: Record<string, unknown>, opts: { secret?: string; timestamp?: number } = {}) => {
    const payload = JSON.stringify({ id: `evt_${backend}_${++n}`, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object } });
    const header = stripe.webhooks.generateTestHeaderString({
      payload,
      secret: opts.secret ?? STRIPE_SECRETS[1]!,
      ...(opts.timestamp ? { timestamp: opts.timestamp } : {}),
    });
    return { payload, header };
  };

  const eventRow = (eventId: string) =>
    until('the event row', async () => (await stack.connectors.store.webhooks.list({}, 100)).items.map((i) => i.node).find((e) => e.eventId === eventId));
  const processed = (eventId: string) =>
    until(`${eventId} processed`, async () => {
      const e = await eventRow(eventId);
      return e.status === 'processed' ? e : undefined;
    });

  it('accepts a signed event once, answers a duplicate 200 without storing it, and applies the payment as Stripe has it now', async () => {
    const pay = await stack.run<{ createPayment: { id: string } }>(
      `mutation { createPayment(input: { customerId: "cust_demo0004", amount: 4200, currency: "USD", paymentMethod: "pm_card_visa", idempotencyKey: "wh-${backend}-1" }) { id } }`,
    );
    const pi = pay.data!.createPayment.id;
    const { payload, header } = stripeEvent('payment_intent.succeeded', { id: pi, object: 'payment_intent' });
    const first = await post('stripe', payload, { 'stripe-signature': header });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: 1, accepted: 1, duplicates: 0 });
    const again = await post('stripe', payload, { 'stripe-signature': header });
    expect(again.json()).toEqual({ received: 1, accepted: 0, duplicates: 1 });
    const eventId = (JSON.parse(payload) as { id: string }).id;
    const row = await processed(eventId);
    expect(row).toMatchObject({ provider: 'stripe', type: 'payment_intent.succeeded', objectId: pi, attempts: 1 });
    const [stored] = await stack.connectors.store.payments.byIds('stripe', [pi]);
    expect(stored).toMatchObject({ id: pi, status: 'succeeded', amount: 4200, currency: 'usd', amountRefunded: 0 });
    // One row for the two deliveries.
    expect((await stack.connectors.store.webhooks.list({ provider: 'stripe' }, 100)).items.filter((i) => i.node.eventId === eventId)).toHaveLength(1);
  });

  it('takes either secret during a rotation', async () => {
    const { payload, header } = stripeEvent('customer.updated', { id: 'cus_demo000003', object: 'customer' }, { secret: STRIPE_SECRETS[0] });
    expect((await post('stripe', payload, { 'stripe-signature': header })).statusCode).toBe(200);
  });

  it('refuses tampered, stale, unsigned and unknown deliveries with a coded error, storing nothing', async () => {
    const before = (await stack.connectors.store.webhooks.list({}, 1)).totalCount;
    const good = stripeEvent('payment_intent.succeeded', { id: 'pi_demo000501', object: 'payment_intent' });
    const tampered = await post('stripe', good.payload.replace('pi_demo000501', 'pi_demo000502'), { 'stripe-signature': good.header });
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json()).toMatchObject({ error: { code: 'WEBHOOK_SIGNATURE_INVALID', reason: 'signature' } });
    const old = stripeEvent('payment_intent.succeeded', { id: 'pi_demo000501', object: 'payment_intent' }, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect((await post('stripe', old.payload, { 'stripe-signature': old.header })).json()).toMatchObject({
      error: { code: 'WEBHOOK_SIGNATURE_INVALID', reason: 'stale' },
    });
    const unsigned = await post('stripe', good.payload, {});
    expect(unsigned.statusCode).toBe(400);
    const wrongSecret = stripeEvent('payment_intent.succeeded', { id: 'pi_demo000501', object: 'payment_intent' }, { secret: 'whsec_someone_else' });
    expect((await post('stripe', wrongSecret.payload, { 'stripe-signature': wrongSecret.header })).statusCode).toBe(400);
    const nobody = await post('nosuch', good.payload, { 'stripe-signature': good.header });
    expect(nobody.statusCode).toBe(404);
    expect(nobody.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const ts = String(Date.now());
    const body = JSON.stringify([{ eventId: 1, subscriptionType: 'contact.propertyChange', objectId: 1005, occurredAt: Date.now() }]);
    const badHubspot = await post('hubspot', body, {
      'x-hubspot-signature-v3': signV3('not-the-secret', 'POST', `${PUBLIC_URL}/webhooks/hubspot`, body, ts),
      'x-hubspot-request-timestamp': ts,
    });
    expect(badHubspot.statusCode).toBe(401);
    const staleTs = String(Date.now() - 6 * 60_000);
    const staleHubspot = await post('hubspot', body, {
      'x-hubspot-signature-v3': signV3(HUBSPOT_SECRET, 'POST', `${PUBLIC_URL}/webhooks/hubspot`, body, staleTs),
      'x-hubspot-request-timestamp': staleTs,
    });
    expect(staleHubspot.json()).toMatchObject({ error: { code: 'WEBHOOK_SIGNATURE_INVALID', reason: 'stale' } });
    expect((await stack.connectors.store.webhooks.list({}, 1)).totalCount).toBe(before);
  });

  it('takes a HubSpot batch signed v3 over the public URL, one row per event, and re-reads the contact', async () => {
    const ts = String(Date.now());
    const events = [1005, 1006].map((objectId, i) => ({
      eventId: 900_000 + n * 10 + i,
      subscriptionType: 'contact.propertyChange',
      objectId,
      propertyName: 'company',
      propertyValue: 'X',
      occurredAt: Date.now(),
    }));
    n++;
    const body = JSON.stringify(events);
    const res = await post('hubspot', body, {
      'x-hubspot-signature-v3': signV3(HUBSPOT_SECRET, 'POST', `${PUBLIC_URL}/webhooks/hubspot`, body, ts),
      'x-hubspot-request-timestamp': ts,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: 2, accepted: 2, duplicates: 0 });
    for (const e of events) expect(await processed(String(e.eventId))).toMatchObject({ provider: 'hubspot', objectId: String(e.objectId) });
  });

  it('shows a change made upstream in the graph within 2 s, though the cached read lives 30 s', async () => {
    const customer = 'cust_demo0010';
    const total = async () =>
      (
        await stack.run<{ customer: { totalPaid: { amount: number; currency: string }[] } }>(
          `{ customer(id: "${customer}") { totalPaid { amount currency } } }`,
        )
      ).data!.customer.totalPaid;
    const before = await total();
    const [seedPayment] = (await stripe.paymentIntents.list({ customer: 'cus_demo000010' })).data.filter(
      (p) => p.status === 'succeeded' && p.amount_received > 0,
    );
    expect(seedPayment).toBeDefined();
    // Refunded behind Switchyard's back: its cached totals do not know.
    await stripe.refunds.create({ payment_intent: seedPayment!.id, amount: 100 });
    expect(await total()).toEqual(before);
    const changedAt = Date.now();
    const { payload, header } = stripeEvent('charge.refunded', { id: 'ch_x', object: 'charge', payment_intent: seedPayment!.id });
    expect((await post('stripe', payload, { 'stripe-signature': header })).statusCode).toBe(200);
    const after = await until('the refund in totalPaid', async () => {
      const t = await total();
      return JSON.stringify(t) !== JSON.stringify(before) ? t : undefined;
    });
    const visibleMs = Date.now() - changedAt;
    console.info(`[webhooks ${backend}] a refund made upstream was in totalPaid ${visibleMs} ms after its event arrived`);
    expect(visibleMs).toBeLessThan(2_000);
    const cur = seedPayment!.currency;
    expect(after.find((m) => m.currency === cur)!.amount).toBe(before.find((m) => m.currency === cur)!.amount - 100);
  });

  it('ends an event that keeps failing DEAD with one alert, and processes it on replay', async () => {
    stack.emulators.stripe.faults.set(FaultController.parse({ status: 500, count: 1_000 }));
    const ids = [];
    for (const pi of ['pi_demo000601', 'pi_demo000602']) {
      const { payload, header } = stripeEvent('payment_intent.updated', { id: pi, object: 'payment_intent' });
      expect((await post('stripe', payload, { 'stripe-signature': header })).statusCode).toBe(200);
      ids.push((JSON.parse(payload) as { id: string }).id);
    }
    const dead = [];
    for (const id of ids) dead.push(await until(`${id} dead`, async () => ((await eventRow(id)).status === 'dead' ? eventRow(id) : undefined), 20_000));
    expect(dead.map((e) => e.attempts)).toEqual([2, 2]);
    expect(dead[0]!.lastError).toBeTruthy();
    const alerts = stack.server.ops.alerts.firing().filter((a) => a.condition === 'webhook_dead');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ connector: 'stripe', state: 'firing' });

    stack.emulators.stripe.faults.clear();
    await new Promise((r) => setTimeout(r, 300));
    expect(await stack.server.services.events!.replay({ ids: dead.map((e) => e.id) })).toBe(2);
    for (const id of ids) expect(await processed(id)).toMatchObject({ status: 'processed', attempts: 3 });
    expect(stack.server.ops.alerts.firing().filter((a) => a.condition === 'webhook_dead')).toHaveLength(0);
  }, 60_000);
});
