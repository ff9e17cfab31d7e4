// Payment.refunds costs no Stripe call of its own: every payment read embeds the latest charge's
// refunds (expand latest_charge.refunds), so a page of payments and their refunds is the page's
// calls alone; only a payment with more refunds than Stripe embeds is listed separately.
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.ts';
import { seedCustomers } from '../../src/demo/seed.ts';

const SEED = seedCustomers(200);

interface Page {
  customers: { edges: { node: { id: string; payments: { edges: { node: { id: string; refunds: { id: string; amount: { amount: number } }[] } }[] } } }[] };
}

describe('refunds ride along with their payments', () => {
  let stack: Stack;
  let stripe: Stripe;

  beforeAll(async () => {
    stack = await startStack('pglite');
    const url = new URL(stack.emulators.urls.stripe);
    stripe = new Stripe('sk_test_refunds', { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 50 customers with 10 payments and their refunds each in 5 Stripe calls, where it made one more per payment', async () => {
    stack.resetCounts();
    const res = await stack.run<Page>(
      `{ customers(first: 50) { edges { node { id payments(first: 10) { edges { node { id refunds { id amount { amount } } } } } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const stats = stack.emulators.stripe.stats();
    const payments = res.data!.customers.edges.flatMap((e) => e.node.payments.edges.map((p) => p.node));
    console.info(`[refunds-batching] ${payments.length} payments with refunds: ${stats.total} Stripe calls ${JSON.stringify(stats.byRoute)}`);
    expect(payments.length).toBeGreaterThan(50);
    expect(stats.byRoute['GET /v1/payment_intents/search']).toBe(5);
    expect(stats.total).toBe(5);

    // The refunds are Stripe's: the seed's refunded payments have their refund, the rest none.
    const seeded = new Map(SEED.flatMap((c) => c.payments).map((p) => [p.id, p.refundedAmount]));
    const refunded = payments.filter((p) => p.refunds.length > 0);
    expect(refunded.length).toBeGreaterThan(0);
    for (const p of payments) expect(p.refunds.reduce((n, r) => n + r.amount.amount, 0)).toBe(seeded.get(p.id) ?? 0);
  });

  it('embeds up to 10 refunds, newest first, and lists the rest only for a payment with more', async () => {
    const created = await stack.run<{ createPayment: { id: string } }>(
      `mutation { createPayment(input: { customerId: "cust_demo0060", amount: 5000, currency: "USD", paymentMethod: "pm_card_visa", idempotencyKey: "many-refunds" }) { id } }`,
    );
    const id = created.data!.createPayment.id;
    for (let i = 0; i < 12; i++) {
      const r = await stack.run(`mutation { refundPayment(input: { paymentId: "${id}", amount: ${100 + i}, idempotencyKey: "many-refunds-${i}" }) { id } }`);
      expect(r.errors).toBeUndefined();
    }
    // What Stripe embeds when asked, through the real SDK.
    const pi = await stripe.paymentIntents.retrieve(id, { expand: ['latest_charge.refunds'] });
    const embedded = (pi.latest_charge as Stripe.Charge).refunds!;
    expect(embedded.data.map((r) => r.amount)).toEqual([111, 110, 109, 108, 107, 106, 105, 104, 103, 102]);
    expect(embedded.has_more).toBe(true);

    stack.resetCounts();
    const res = await stack.run<{ payment: { refunds: { amount: { amount: number } }[] } }>(`{ payment(id: "${id}") { refunds { amount { amount } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.payment.refunds.map((r) => r.amount.amount)).toEqual([111, 110, 109, 108, 107, 106, 105, 104, 103, 102, 101, 100]);
    expect(stack.emulators.stripe.stats().byRoute).toEqual({ 'GET /v1/payment_intents/:id': 1, 'GET /v1/refunds': 1 });

    // A payment with a few refunds (cust_demo0060's others) costs nothing extra in the same list.
    stack.resetCounts();
    const list = await stack.run<{ customer: { payments: { edges: { node: { id: string; refunds: unknown[] } }[] } } }>(
      `{ customer(id: "cust_demo0060") { payments(first: 5) { edges { node { id refunds { id } } } } } }`,
    );
    expect(list.data!.customer.payments.edges.find((e) => e.node.id === id)!.node.refunds).toHaveLength(12);
    // One list call (within a minute of our own writes the customer's payments are read by the
    // list API, see batch.ts); the long refund list was read just before and comes from the cache.
    expect(stack.emulators.stripe.stats().byRoute).toEqual({ 'GET /v1/payment_intents': 1 });
  });
});
