// Drives the Stripe emulator with the real `stripe` SDK, so the wire format (form encoding,
// error bodies, headers, pagination) is checked against the client the gateway uses.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Stripe from 'stripe';
import type { Emulator } from '../../src/emulators/http.ts';
import { seedCustomers } from '../../src/demo/seed.ts';
import { createStripeEmulator } from '../../src/connectors/stripe/emulator/index.ts';

let emu: Emulator;
let url: string;
let stripe: Stripe;

function client(key: string, extra: Record<string, unknown> = {}): Stripe {
  const port = Number(new URL(url).port);
  return new Stripe(key, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, ...extra });
}

async function control(path: string, body?: unknown): Promise<any> {
  const res = await fetch(url + path, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  return res.json();
}

async function routeCount(label: string): Promise<number> {
  const stats = await control('/__control/stats');
  return stats.byRoute[label] ?? 0;
}

async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

const seed = seedCustomers(200);

beforeAll(async () => {
  // The wire-format checks below call faster than a sandbox account may; the limit has its own test.
  emu = createStripeEmulator({ rateLimit: false });
  url = await emu.start();
  stripe = client('sk_test_x');
});

afterAll(async () => {
  await emu.stop();
});

describe('customers', () => {
  it('creates, retrieves, updates and deletes', async () => {
    const created = await stripe.customers.create({
      email: 'new.person@example.com',
      name: 'New Person',
      description: 'vip',
      metadata: { plan: 'gold', region: 'eu' },
    });
    expect(created.id).toMatch(/^cus_/);
    expect(created).toMatchObject({ object: 'customer', livemode: false, email: 'new.person@example.com', metadata: { plan: 'gold', region: 'eu' } });
    expect(Math.abs(created.created - Date.now() / 1000)).toBeLessThan(5);
    expect(created.lastResponse.requestId).toMatch(/^req_/);
    expect(created.lastResponse.apiVersion).toBeTruthy();

    const fetched = await stripe.customers.retrieve(created.id);
    expect(fetched).toMatchObject({ id: created.id, name: 'New Person' });

    const updated = await stripe.customers.update(created.id, { name: 'Renamed', metadata: { region: '' }, description: '' });
    expect(updated).toMatchObject({ name: 'Renamed', description: null, metadata: { plan: 'gold' } });

    const deleted = await stripe.customers.del(created.id);
    expect(deleted).toEqual({ id: created.id, object: 'customer', deleted: true });
    const again = await stripe.customers.retrieve(created.id);
    expect(again.deleted).toBe(true);
    const err = await rejection(stripe.customers.update(created.id, { name: 'x' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(404);
  });

  it('maps the seed to Stripe customers', async () => {
    const first = seed[0]!;
    const c = await stripe.customers.retrieve(first.paymentsId);
    expect(c).toMatchObject({
      id: first.paymentsId,
      email: first.email,
      name: `${first.firstName} ${first.lastName}`,
      metadata: { switchyard_id: first.id },
      created: first.created,
    });
  });

  it('paginates newest first with has_more, starting_after and ending_before', async () => {
    const page1 = await stripe.customers.list({ limit: 3 });
    expect(page1).toMatchObject({ object: 'list', url: '/v1/customers', has_more: true });
    expect(page1.data).toHaveLength(3);
    const page2 = await stripe.customers.list({ limit: 3, starting_after: page1.data[2]!.id });
    const page3 = await stripe.customers.list({ limit: 3, starting_after: page2.data[2]!.id });
    const all = [...page1.data, ...page2.data, ...page3.data];
    expect(new Set(all.map((c) => c.id)).size).toBe(9);
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.created).toBeGreaterThanOrEqual(all[i]!.created);

    const back = await stripe.customers.list({ limit: 3, ending_before: page3.data[0]!.id });
    expect(back.data.map((c) => c.id)).toEqual(page2.data.map((c) => c.id));

    const everything = await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    expect(everything.length).toBe(200);

    const err = await rejection(stripe.customers.list({ limit: 101 }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.param).toBe('limit');
  });

  it('filters the list by email', async () => {
    const target = seed[41]!;
    const list = await stripe.customers.list({ email: target.email });
    expect(list.data.map((c) => c.id)).toEqual([target.paymentsId]);
  });

  it('reports an unknown customer as a 404 StripeInvalidRequestError', async () => {
    const err = await rejection(stripe.customers.retrieve('cus_missing'));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such customer: 'cus_missing'" });
    expect(err.requestId).toMatch(/^req_/);
  });

  it('rejects unknown parameters like Stripe', async () => {
    const err = await rejection(stripe.customers.create({ nickname: 'x' } as Stripe.CustomerCreateParams));
    expect(err).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'nickname' });
  });
});

describe('search', () => {
  it('finds several customers with OR and reports total_count', async () => {
    const picks = [seed[4]!, seed[17]!, seed[150]!];
    const query = picks.map((c) => `email:'${c.email}'`).join(' OR ');
    const res = await stripe.customers.search({ query, expand: ['total_count'] });
    expect(res.object).toBe('search_result');
    expect(res.url).toBe('/v1/customers/search');
    expect(res.total_count).toBe(3);
    // Newest first: higher seed index means created later.
    expect(res.data.map((c) => c.id)).toEqual([seed[150]!.paymentsId, seed[17]!.paymentsId, seed[4]!.paymentsId]);
  });

  it('matches metadata, double quotes and AND', async () => {
    const c = seed[6]!;
    const res = await stripe.customers.search({ query: `metadata["switchyard_id"]:"${c.id}" AND name:'${c.firstName} ${c.lastName}'` });
    expect(res.data.map((x) => x.id)).toEqual([c.paymentsId]);
  });

  it('pages with next_page', async () => {
    const query = "status:'succeeded' AND currency:'usd'";
    const first = await stripe.paymentIntents.search({ query, limit: 5 });
    expect(first.has_more).toBe(true);
    expect(first.next_page).toBeTruthy();
    const second = await stripe.paymentIntents.search({ query, limit: 5, page: first.next_page! });
    const ids = new Set([...first.data, ...second.data].map((p) => p.id));
    expect(ids.size).toBe(10);
    for (const pi of [...first.data, ...second.data]) expect(pi).toMatchObject({ status: 'succeeded', currency: 'usd' });
  });

  it('supports numeric comparisons', async () => {
    const res = await stripe.paymentIntents.search({ query: 'amount>19000 AND amount<=19500', limit: 100 });
    expect(res.data.length).toBeGreaterThan(0);
    for (const pi of res.data) expect(pi.amount > 19000 && pi.amount <= 19500).toBe(true);
  });

  it('rejects mixing AND with OR, too many clauses, and unknown fields', async () => {
    const mixed = await rejection(stripe.customers.search({ query: "email:'a@b.co' AND name:'x' OR name:'y'" }));
    expect(mixed).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(mixed.statusCode).toBe(400);
    const many = Array.from({ length: 11 }, (_, i) => `name:'n${i}'`).join(' OR ');
    const tooMany = await rejection(stripe.customers.search({ query: many }));
    expect(tooMany.statusCode).toBe(400);
    const unknown = await rejection(stripe.customers.search({ query: "shoe_size:'42'" }));
    expect(unknown.message).toContain('unsupported search field');
  });
});

describe('payment intents', () => {
  it('creates and confirms, with latest_charge expandable on retrieve, list and search', async () => {
    const customer = await stripe.customers.create({ email: 'payer@example.com' });
    const pi = await stripe.paymentIntents.create({
      amount: 4200,
      currency: 'usd',
      customer: customer.id,
      payment_method: 'pm_card_visa',
      confirm: true,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      metadata: { order: 'o-1' },
    });
    expect(pi).toMatchObject({ object: 'payment_intent', status: 'succeeded', amount_received: 4200, customer: customer.id });
    expect(pi.automatic_payment_methods).toEqual({ enabled: true, allow_redirects: 'never' });
    expect(typeof pi.latest_charge).toBe('string');

    const retrieved = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    const charge = retrieved.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({
      object: 'charge',
      amount: 4200,
      amount_refunded: 0,
      refunded: false,
      status: 'succeeded',
      payment_intent: pi.id,
      customer: customer.id,
    });
    const direct = await stripe.charges.retrieve(charge.id);
    expect(direct.id).toBe(charge.id);

    const list = await stripe.paymentIntents.list({ customer: customer.id, expand: ['data.latest_charge'] });
    expect(list.data).toHaveLength(1);
    expect((list.data[0]!.latest_charge as Stripe.Charge).object).toBe('charge');

    const found = await stripe.paymentIntents.search({ query: `customer:'${customer.id}' AND metadata['order']:'o-1'`, expand: ['data.latest_charge'] });
    expect(found.data.map((p) => p.id)).toEqual([pi.id]);
    expect((found.data[0]!.latest_charge as Stripe.Charge).id).toBe(charge.id);
  });

  it('moves through requires_payment_method, requires_confirmation and succeeded', async () => {
    const bare = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });
    expect(bare.status).toBe('requires_payment_method');
    const withPm = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur', payment_method: 'pm_card_mastercard' });
    expect(withPm.status).toBe('requires_confirmation');
    const confirmed = await stripe.paymentIntents.confirm(bare.id, { payment_method: 'pm_card_visa', expand: ['latest_charge'] });
    expect(confirmed.status).toBe('succeeded');
    expect((confirmed.latest_charge as Stripe.Charge).amount).toBe(1000);
    const err = await rejection(stripe.paymentIntents.confirm(bare.id));
    expect(err).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
  });

  it('paginates a customer list across pages', async () => {
    const customer = seed.find((c) => c.payments.length === 5)!;
    const page1 = await stripe.paymentIntents.list({ customer: customer.paymentsId, limit: 2 });
    const page2 = await stripe.paymentIntents.list({ customer: customer.paymentsId, limit: 2, starting_after: page1.data[1]!.id });
    const page3 = await stripe.paymentIntents.list({ customer: customer.paymentsId, limit: 2, starting_after: page2.data[1]!.id });
    expect([page1.has_more, page2.has_more, page3.has_more]).toEqual([true, true, false]);
    const ids = [...page1.data, ...page2.data, ...page3.data].map((p) => p.id);
    expect(ids).toEqual([...customer.payments].reverse().map((p) => p.id));
  });

  it('surfaces a declined card as StripeCardError and leaves the intent awaiting a payment method', async () => {
    const err = await rejection(stripe.paymentIntents.create({ amount: 2500, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' });
    const pi = await stripe.paymentIntents.retrieve(err.payment_intent.id);
    expect(pi.status).toBe('requires_payment_method');
    expect(pi.last_payment_error?.decline_code).toBe('generic_decline');
  });

  it('validates amount, currency and customer', async () => {
    const small = await rejection(stripe.paymentIntents.create({ amount: 10, currency: 'usd' }));
    expect(small).toMatchObject({ statusCode: 400, code: 'amount_too_small', param: 'amount' });
    const currency = await rejection(stripe.paymentIntents.create({ amount: 1000, currency: 'xyz' }));
    expect(currency).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(currency.param).toBe('currency');
    const customer = await rejection(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: 'cus_nobody' }));
    expect(customer).toMatchObject({ code: 'resource_missing', param: 'customer', message: "No such customer: 'cus_nobody'" });
    const notInt = await rejection(stripe.paymentIntents.create({ amount: 10.5, currency: 'usd' }));
    expect(notInt.param).toBe('amount');
  });
});

describe('idempotency', () => {
  it('replays the first response for the same key and parameters', async () => {
    const customer = await stripe.customers.create({ email: 'idem@example.com' });
    const params = { amount: 3000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true };
    const before = await routeCount('POST /v1/payment_intents');
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'order-77' });
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'order-77' });
    expect(second.id).toBe(first.id);
    expect(second.latest_charge).toBe(first.latest_charge);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    // Both requests reached the emulator, yet only one PaymentIntent exists.
    expect(await routeCount('POST /v1/payment_intents')).toBe(before + 2);
    const list = await stripe.paymentIntents.list({ customer: customer.id });
    expect(list.data).toHaveLength(1);

    const err = await rejection(stripe.paymentIntents.create({ ...params, amount: 3100 }, { idempotencyKey: 'order-77' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.message).toContain('same parameters');
  });

  it('scopes keys per API key and replays card declines', async () => {
    const other = client('sk_test_other');
    const a = await stripe.customers.create({ name: 'A' }, { idempotencyKey: 'shared-key' });
    const b = await other.customers.create({ name: 'A' }, { idempotencyKey: 'shared-key' });
    expect(b.id).not.toBe(a.id);

    const decline = { amount: 900, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true };
    const e1 = await rejection(stripe.paymentIntents.create(decline, { idempotencyKey: 'decline-1' }));
    const e2 = await rejection(stripe.paymentIntents.create(decline, { idempotencyKey: 'decline-1' }));
    expect(e2).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(e2.payment_intent.id).toBe(e1.payment_intent.id);
  });
});

describe('authentication', () => {
  it('rejects a request without an API key', async () => {
    const anonymous = client('', { authenticator: async () => {} });
    const err = await rejection(anonymous.customers.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err.statusCode).toBe(401);
    expect(err.message).toContain('You did not provide an API key');
  });

  it('rejects a key that is not a secret key', async () => {
    const err = await rejection(client('bogus_1234567890').customers.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err.message).toContain('Invalid API Key provided');
    expect(err.message).not.toContain('1234567890');
  });
});

describe('refunds', () => {
  it('refunds partially, refuses too much, then refunds the rest', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const partial = await stripe.refunds.create({ payment_intent: pi.id, amount: 500, reason: 'requested_by_customer' });
    expect(partial).toMatchObject({ object: 'refund', amount: 500, status: 'succeeded', payment_intent: pi.id, charge: pi.latest_charge });
    let charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 500, refunded: false });

    const tooLarge = await rejection(stripe.refunds.create({ payment_intent: pi.id, amount: 1600 }));
    expect(tooLarge).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooLarge).toMatchObject({ code: 'amount_too_large', param: 'amount' });
    expect(tooLarge.message).toContain('$15.00');

    const rest = await stripe.refunds.create({ charge: charge.id });
    expect(rest.amount).toBe(1500);
    charge = await stripe.charges.retrieve(charge.id);
    expect(charge).toMatchObject({ amount_refunded: 2000, refunded: true });

    const done = await rejection(stripe.refunds.create({ payment_intent: pi.id }));
    expect(done.code).toBe('charge_already_refunded');

    const list = await stripe.refunds.list({ payment_intent: pi.id });
    expect(list.data.map((r) => r.id)).toEqual([rest.id, partial.id]);
  });

  it('refuses to refund an intent without a successful charge, and bad reasons', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd' });
    const err = await rejection(stripe.refunds.create({ payment_intent: pi.id }));
    expect(err).toMatchObject({ statusCode: 400, code: 'charge_not_refundable' });
    const reason = await rejection(stripe.refunds.create({ payment_intent: pi.id, reason: 'bored' as 'duplicate' }));
    expect(reason.param).toBe('reason');
  });

  it('seeds refunded charges with matching refunds', async () => {
    const payment = seed.flatMap((c) => c.payments).find((p) => p.refundedAmount > 0)!;
    const charge = await stripe.charges.retrieve(payment.chargeId);
    expect(charge).toMatchObject({ amount: payment.amount, amount_refunded: payment.refundedAmount, payment_intent: payment.id });
    const refunds = await stripe.refunds.list({ payment_intent: payment.id });
    expect(refunds.data.map((r) => r.amount)).toEqual([payment.refundedAmount]);
  });
});

describe('control routes', () => {
  it('surfaces an injected 503 as StripeAPIError, once', async () => {
    await control('/__control/faults', { status: 503, count: 1 });
    const err = await rejection(stripe.customers.list({ limit: 1 }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err.statusCode).toBe(503);
    expect(err.requestId).toMatch(/^req_/);
    const ok = await stripe.customers.list({ limit: 1 });
    expect(ok.data).toHaveLength(1);
  });

  it('surfaces an injected 429 as StripeRateLimitError', async () => {
    await control('/__control/faults', { status: 429, count: 1 });
    const err = await rejection(stripe.customers.list({ limit: 1 }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
  });

  it('drifts payload shapes on demand', async () => {
    await control('/__control/faults', { drift: true, count: 1 });
    const res = await fetch(`${url}/v1/payment_intents?limit=2`, { headers: { Authorization: 'Bearer sk_test_x' } });
    const body = (await res.json()) as { data: Record<string, unknown>[] };
    expect(body.data[0]).toHaveProperty('amount_cents');
    expect(body.data[0]).not.toHaveProperty('amount');
    expect(typeof body.data[0]!.created).toBe('string');
  });

  it('counts requests by route', async () => {
    const before = await routeCount('GET /v1/customers/:id');
    await stripe.customers.retrieve(seed[0]!.paymentsId);
    await stripe.customers.retrieve(seed[1]!.paymentsId);
    expect(await routeCount('GET /v1/customers/:id')).toBe(before + 2);
    const stats = await control('/__control/stats');
    expect(stats.total).toBeGreaterThan(0);
  });

  it('reset restores the seed', async () => {
    const extra = await stripe.customers.create({ email: 'temp@example.com' });
    await control('/__control/reset', {});
    const err = await rejection(stripe.customers.retrieve(extra.id));
    expect(err.statusCode).toBe(404);
    const all = await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    expect(all).toHaveLength(200);
    expect(await routeCount('GET /v1/customers')).toBe(2);
  });
});

describe('rate limit', () => {
  let limited: Emulator;
  let port: number;
  const sdk = (key: string) => new Stripe(key, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });

  beforeAll(async () => {
    limited = createStripeEmulator({ customers: seed.slice(0, 5) });
    port = Number(new URL(await limited.start()).port);
  });
  afterAll(async () => {
    await limited.stop();
  });

  const burst = async (client: Stripe, n: number) => {
    const settled = await Promise.allSettled(Array.from({ length: n }, () => client.customers.list({ limit: 1 })));
    return { ok: settled.filter((s) => s.status === 'fulfilled').length, refused: settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : [])) };
  };

  it('refuses a sandbox key past 25 requests a second with a rate_limit error, and lets it in again a second later', async () => {
    const client = sdk('sk_test_limited');
    const first = await burst(client, 40);
    expect(first.ok).toBe(25);
    expect(first.refused).toHaveLength(15);
    expect(first.refused[0]).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(first.refused[0]).toMatchObject({ statusCode: 429, code: 'rate_limit', type: 'StripeRateLimitError' });
    await new Promise((r) => setTimeout(r, 1_050));
    expect((await burst(client, 1)).ok).toBe(1);
  });

  it('counts each account apart, and gives a live key 100 a second', async () => {
    const live = await burst(sdk('sk_live_limited'), 110);
    expect(live.ok).toBe(100);
    expect((await burst(sdk('sk_test_other'), 5)).ok).toBe(5);
  });
});
