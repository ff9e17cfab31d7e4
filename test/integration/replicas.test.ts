// Stateless replicas: two Switchyard stacks on one Redis and one set of providers. The
// read-your-writes window after a payment written through one, and the pause after a 429 one of
// them saw, hold on the other. (The two-replica part needs a Redis server: REDIS_URL, as CI sets.)
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.ts';
import { startEmulators, type RunningEmulators } from '../../src/emulators/index.ts';
import { seedCustomers } from '../../src/demo/seed.ts';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.info('[tests] REDIS_URL unset: skipping the two-replica read-your-writes and pause tests (they need a Redis server)');

const PAYMENT_IDS = seedCustomers(200).flatMap((c) => c.payments.map((p) => p.id));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function fault(emulators: RunningEmulators, spec: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${emulators.urls.stripe}/__control/faults`, { method: 'POST', body: JSON.stringify(spec) });
  expect(res.status).toBe(200);
}

interface Payments {
  customer: { payments: { edges: { node: { id: string } }[] }; totalPaid: { amount: number; currency: string }[] };
}
const READ = (customer: string) => `{ customer(id: "${customer}") { payments(first: 3) { edges { node { id } } } totalPaid { amount currency } } }`;
const WRITE = (customer: string, key: string) =>
  `mutation { createPayment(input: { customerId: "${customer}", amount: 4321, currency: "USD", paymentMethod: "pm_card_visa", idempotencyKey: "${key}" }) { id } }`;
const usd = (res: { data?: Payments | null }) => res.data!.customer.totalPaid.find((m) => m.currency === 'usd')?.amount ?? 0;

describe('one replica, no Redis: its own writes read fresh though Stripe search lags', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('reads a customer it just wrote through the list API, and the others through search', async () => {
    await fault(stack.emulators, { searchLagMs: 60_000 });
    const before = await stack.run<Payments>(READ('cust_demo0071'));
    const created = await stack.run<{ createPayment: { id: string } }>(WRITE('cust_demo0071', 'replica-local'));
    stack.resetCounts();
    const after = await stack.run<Payments>(READ('cust_demo0071'));
    expect(after.data!.customer.payments.edges[0]!.node.id).toBe(created.data!.createPayment.id);
    expect(usd(after) - usd(before)).toBe(4321);
    expect(stack.emulators.stripe.stats().byRoute['GET /v1/payment_intents/search']).toBeUndefined();
  });
});

describe.skipIf(!REDIS_URL)('two replicas on one Redis (skipped without REDIS_URL)', () => {
  let emulators: RunningEmulators;
  let a: Stack;
  let b: Stack;

  beforeAll(async () => {
    emulators = await startEmulators({ options: { hubspot: { rateLimit: false }, stripe: { rateLimit: false } } });
    const redisPrefix = `sy_test_${randomBytes(6).toString('hex')}:`;
    a = await startStack('pglite', { shared: 'redis', redisPrefix, emulators });
    b = await startStack('pglite', { shared: 'redis', redisPrefix, emulators });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await emulators?.stop();
  });

  it("shows a payment written through A in B's next read at once, though Stripe's search has not indexed it yet", async () => {
    await fault(emulators, { searchLagMs: 60_000 });
    const before = await b.run<Payments>(READ('cust_demo0072'));
    expect(before.errors).toBeUndefined();
    const created = await a.run<{ createPayment: { id: string } }>(WRITE('cust_demo0072', `replicas-${Date.now()}`));
    expect(created.errors).toBeUndefined();
    b.resetCounts();
    const after = await b.run<Payments>(READ('cust_demo0072'));
    expect(after.data!.customer.payments.edges[0]!.node.id).toBe(created.data!.createPayment.id);
    expect(usd(after) - usd(before)).toBe(4321);
    // B read the customer through the list API, which is immediate, not the lagging search.
    const routes = emulators.stripe.stats().byRoute;
    expect(routes['GET /v1/payment_intents']).toBeGreaterThan(0);
    expect(routes['GET /v1/payment_intents/search']).toBeUndefined();
  });

  it('pauses B after a 429 with Retry-After: 2 answered to A: no request of either reaches Stripe before it has passed', async () => {
    await fault(emulators, { status: 429, retryAfterSeconds: 2, count: 1 });
    const arrivals: number[] = [];
    const off = emulators.stripe.onRequest((_route, at) => arrivals.push(at));
    const first = a.run<{ payment: { id: string } }>(`{ payment(id: "${PAYMENT_IDS[10]}") { id } }`);
    while (arrivals.length === 0) await sleep(10);
    // A has had its 429 answered by now; B's read must wait for the pause all the same.
    await sleep(300);
    const second = b.run<{ payment: { id: string } }>(`{ payment(id: "${PAYMENT_IDS[11]}") { id } }`);
    const [ra, rb] = await Promise.all([first, second]);
    off();
    expect([ra.errors, rb.errors]).toEqual([undefined, undefined]);
    expect(arrivals).toHaveLength(3);
    const gaps = arrivals.slice(1).map((at) => at - arrivals[0]!);
    console.info(`[replicas] requests after the 429 arrived ${gaps.join(' ms, ')} ms after it`);
    // Redis expires the pause within a millisecond of its end.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1_995);
  });
});
