// Idempotency keys through the graph (executeOperation) with the real Stripe SDK against the
// emulator: keys are scoped by principal and operation before they reach Stripe, and the record
// in the store answers replays, conflicts and concurrent duplicates whatever Stripe remembers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { principalFor } from '../helpers/principals.ts';

const CREATE = `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id status amount { amount } createdAt } }`;
const REFUND = `mutation($input: RefundPaymentInput!) { refundPayment(input: $input) { id amount { amount } } }`;
const ALICE = principalFor('operator', { id: 'key:alice' });
const BOB = principalFor('operator', { id: 'key:bob' });

type Created = { createPayment: { id: string; status: string; amount: { amount: number }; createdAt: string } };

describe.each(BACKENDS)('idempotency keys on %s', (backend) => {
  let stack: Stack;
  let n = 0;
  const key = (name: string) => `${name}-${backend}-${++n}-abcdef`;

  async function fault(spec: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${stack.emulators.urls.stripe}/__control/faults`, { method: 'POST', body: JSON.stringify(spec) });
    expect(res.status).toBe(200);
  }
  /** PaymentIntents Stripe holds for a demo customer (cust_demo0031 is cus_demo000031). */
  async function paymentIntents(customer: string): Promise<{ id: string; amount: number }[]> {
    const paymentsId = customer.replace('cust_demo', 'cus_demo00');
    const res = await fetch(`${stack.emulators.urls.stripe}/v1/payment_intents?customer=${paymentsId}&limit=100`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    return ((await res.json()) as { data: { id: string; amount: number }[] }).data;
  }
  const creates = () => stack.emulators.stripe.stats().byRoute['POST /v1/payment_intents'] ?? 0;
  const codeOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.code;

  beforeAll(async () => {
    stack = await startStack(backend);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    await fault({});
  });

  it('gives two principals using one key their own PaymentIntents, with any parameters', async () => {
    const shared = key('order');
    const input = { customerId: 'cust_demo0031', amount: 1500, currency: 'USD', paymentMethod: 'pm_card_visa', idempotencyKey: shared };
    const before = (await paymentIntents('cust_demo0031')).length;
    stack.resetCounts();
    const a = await stack.run<Created>(CREATE, { input }, ALICE);
    const b = await stack.run<Created>(CREATE, { input }, BOB);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(b.data!.createPayment.id).not.toBe(a.data!.createPayment.id);
    // Bob guessing Alice's key with other parameters is not a conflict either: it is his own key.
    const c = await stack.run<Created>(CREATE, { input: { ...input, amount: 2500, idempotencyKey: `${shared}-2` } }, ALICE);
    const d = await stack.run<Created>(CREATE, { input: { ...input, amount: 3500, idempotencyKey: `${shared}-2` } }, BOB);
    expect(codeOf(d)).toBeUndefined();
    expect(d.data!.createPayment.amount.amount).toBe(3500);
    expect(creates()).toBe(4);
    const held = await paymentIntents('cust_demo0031');
    expect(held.length - before).toBe(4);
    expect(new Set([a, b, c, d].map((r) => r.data!.createPayment.id)).size).toBe(4);

    // Each principal's replay is its own payment, with no call to Stripe.
    stack.resetCounts();
    expect((await stack.run<Created>(CREATE, { input }, BOB)).data!.createPayment.id).toBe(b.data!.createPayment.id);
    expect((await stack.run<Created>(CREATE, { input }, ALICE)).data!.createPayment.id).toBe(a.data!.createPayment.id);
    expect(stack.emulators.stripe.stats().total).toBe(0);
  });

  it('replays the stored response after Stripe forgot the key, and still refuses another request under it', async () => {
    const input = {
      customerId: 'cust_demo0032',
      amount: 4200,
      currency: 'EUR',
      description: 'Workshop',
      paymentMethod: 'pm_card_visa',
      idempotencyKey: key('forgotten'),
    };
    const first = await stack.run<Created>(CREATE, { input }, ALICE);
    expect(first.errors).toBeUndefined();
    const reset = await fetch(`${stack.emulators.urls.stripe}/__control/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    stack.resetCounts();
    const replay = await stack.run<Created>(CREATE, { input }, ALICE);
    expect(replay.errors).toBeUndefined();
    expect(replay.data!.createPayment).toEqual(first.data!.createPayment);
    const other = await stack.run(CREATE, { input: { ...input, amount: 4300 } }, ALICE);
    expect(other.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', field: 'input.idempotencyKey' });
    expect(creates()).toBe(0);
  });

  it('answers concurrent duplicates IDEMPOTENCY_IN_PROGRESS with exactly one upstream create', async () => {
    const input = { customerId: 'cust_demo0033', amount: 990, currency: 'USD', paymentMethod: 'pm_card_visa', idempotencyKey: key('race') };
    await fault({ latencyMs: 400 });
    stack.resetCounts();
    const results = await Promise.all(Array.from({ length: 6 }, () => stack.run<Created>(CREATE, { input }, ALICE)));
    await fault({});
    const ok = results.filter((r) => !r.errors);
    const busy = results.filter((r) => codeOf(r) === 'IDEMPOTENCY_IN_PROGRESS');
    expect(ok).toHaveLength(1);
    expect(busy).toHaveLength(5);
    for (const r of busy) expect(r.errors![0]!.extensions!.retryAfterMs).toBeGreaterThan(0);
    expect(creates()).toBe(1);
    const after = await stack.run<Created>(CREATE, { input }, ALICE);
    expect(after.data!.createPayment.id).toBe(ok[0]!.data!.createPayment.id);
    expect(creates()).toBe(1);
  });

  it('leaves the key usable after a retryable failure, and the retry cannot charge twice', async () => {
    const input = { customerId: 'cust_demo0034', amount: 777, currency: 'USD', paymentMethod: 'pm_card_visa', idempotencyKey: key('flaky') };
    await fault({ status: 503 });
    expect(codeOf(await stack.run(CREATE, { input }, ALICE))).toBe('UPSTREAM_UNAVAILABLE');
    await fault({});
    const retried = await stack.run<Created>(CREATE, { input }, ALICE);
    expect(retried.errors).toBeUndefined();

    // Stripe acts, but every answer is lost: the key is released, and the retry that follows
    // carries the same upstream key, so Stripe replays the PaymentIntent it already made.
    const lost = { ...input, amount: 778, idempotencyKey: key('lost') };
    await fault({ dropResponseRate: 1 });
    expect(codeOf(await stack.run(CREATE, { input: lost }, ALICE))).toBe('UPSTREAM_UNAVAILABLE');
    await fault({});
    const again = await stack.run<Created>(CREATE, { input: lost }, ALICE);
    expect(again.errors).toBeUndefined();
    expect((await paymentIntents('cust_demo0034')).filter((p) => p.amount === 778)).toHaveLength(1);
  });

  it('stores a final refusal (a declined card) and replays it without calling Stripe', async () => {
    const input = { customerId: 'cust_demo0035', amount: 500, currency: 'USD', paymentMethod: 'pm_card_chargeDeclined', idempotencyKey: key('declined') };
    const first = await stack.run(CREATE, { input }, ALICE);
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamCode: 'card_declined' });
    stack.resetCounts();
    const replay = await stack.run(CREATE, { input }, ALICE);
    expect(replay.errors?.[0]?.extensions).toEqual(first.errors?.[0]?.extensions);
    expect(stack.emulators.stripe.stats().total).toBe(0);
  });

  it('scopes refunds the same way: replayed per principal, a conflict for another request', async () => {
    const paid = await stack.run<Created>(
      CREATE,
      { input: { customerId: 'cust_demo0036', amount: 10_000, currency: 'USD', paymentMethod: 'pm_card_visa', idempotencyKey: key('to-refund') } },
      ALICE,
    );
    const paymentId = paid.data!.createPayment.id;
    const input = { paymentId, amount: 1000, idempotencyKey: key('refund') };
    const a = await stack.run<{ refundPayment: { id: string } }>(REFUND, { input }, ALICE);
    const b = await stack.run<{ refundPayment: { id: string } }>(REFUND, { input }, BOB);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(b.data!.refundPayment.id).not.toBe(a.data!.refundPayment.id);
    stack.resetCounts();
    expect((await stack.run<{ refundPayment: { id: string } }>(REFUND, { input }, ALICE)).data!.refundPayment.id).toBe(a.data!.refundPayment.id);
    expect(codeOf(await stack.run(REFUND, { input: { ...input, amount: 2000 } }, ALICE))).toBe('IDEMPOTENCY_CONFLICT');
    expect(stack.emulators.stripe.stats().byRoute['POST /v1/refunds'] ?? 0).toBe(0);
  });

  it('lets the same request take over a key whose holder died, once its lease is over', async () => {
    const store = stack.connectors.store.idempotency;
    const scope = { principal: 'api_key:key:carol', operation: 'createPayment', key: key('crashed') };
    const held = await store.claim(scope, 'hash-a', { leaseMs: 200, ttlMs: 60_000 });
    expect(held.state).toBe('claimed');
    expect(await store.claim(scope, 'hash-a', { leaseMs: 200, ttlMs: 60_000 })).toMatchObject({ state: 'in_progress', requestHash: 'hash-a' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.claim(scope, 'hash-b', { leaseMs: 200, ttlMs: 60_000 })).toMatchObject({ state: 'in_progress', requestHash: 'hash-a' });
    const taken = await store.claim(scope, 'hash-a', { leaseMs: 200, ttlMs: 60_000 });
    expect(taken.state).toBe('claimed');
    // The dead holder's late answer no longer counts; the new holder's does.
    expect(await store.complete(scope, (held as { token: string }).token, { ok: 1 })).toBe(false);
    expect(await store.complete(scope, (taken as { token: string }).token, { ok: 2 })).toBe(true);
    expect(await store.claim(scope, 'hash-a', { leaseMs: 200, ttlMs: 60_000 })).toMatchObject({ state: 'done', response: { ok: 2 } });
  });
});
