// The outbound quota through the graph, with the real Stripe SDK against the emulator: one
// principal cannot take more than its share of a provider's quota, so a greedy operation does not
// leave everyone else RATE_LIMITED; and every attempt (retries too) is charged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_STORES, TEST_ADMIN, startStack, type Stack } from '../helpers/stack.ts';
import { seedCustomers } from '../../src/demo/seed.ts';
import { jsonFile } from '../helpers/files.ts';

const PAYMENT_IDS = seedCustomers(200).flatMap((c) => c.payments.map((p) => p.id));

type Result = Awaited<ReturnType<Stack['run']>>;

describe.each(SHARED_STORES)('outbound quota (shared state in %s)', (shared) => {
  let stack: Stack;
  const as = (name: string) => ({ ...TEST_ADMIN, id: `${name}-${shared}` });
  const fault = async (spec: Record<string, unknown>, system: 'stripe' | 'hubspot' = 'stripe') => {
    const res = await fetch(`${stack.emulators.urls[system]}/__control/faults`, { method: 'POST', body: JSON.stringify(spec) });
    expect(res.status).toBe(200);
  };
  const stripeQuota = async () => {
    const res = await stack.run<{ connectors: { name: string; quota: { remaining: number; limit: number } | null }[] }>(
      `{ connectors { name quota { remaining limit } } }`,
      undefined,
      as('ops'),
    );
    return res.data!.connectors.find((c) => c.name === 'stripe')!.quota!;
  };
  /** Reads each payment on its own (Stripe has no batch retrieve): one Stripe call per alias. */
  const readEach = (ids: string[], who: ReturnType<typeof as>) =>
    stack.run(`{ ${ids.map((id, i) => `p${i}: payment(id: "${id}") { id }`).join(' ')} }`, undefined, who);
  const codes = (res: Result) => (res.errors ?? []).map((e) => e.extensions?.code);

  beforeAll(async () => {
    // Stripe: 40 requests a minute (a window this test never crosses), no waiting for the next
    // one, and a quarter of it per principal. HubSpot: 4 a minute, no share cap, no retries, and
    // a breaker that opens after 2 failures and tries again after 200 ms.
    const policy = {
      stripe: { quota: { points: 40, durationMs: 60_000 }, quotaWaitMs: 0, backoffMs: 5 },
      hubspot: {
        quota: { points: 4, durationMs: 60_000, principalShare: 1 },
        quotaWaitMs: 0,
        maxAttempts: 1,
        breaker: { consecutiveFailures: 2, halfOpenAfterMs: 200 },
      },
    };
    stack = await startStack('pglite', { shared, env: { POLICY_FILE: jsonFile('policy.json', policy), OUTBOUND_PRINCIPAL_SHARE: '0.25' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("lets a greedy principal take its share of the window and no more, so another's small query still goes through", async () => {
    const greedy = as('greedy');
    stack.resetCounts();
    // 50 Stripe calls asked for, more than the whole quota of 40.
    const first = await readEach(PAYMENT_IDS.slice(0, 25), greedy);
    const second = await readEach(PAYMENT_IDS.slice(25, 50), greedy);
    const served = [first, second].reduce((n, r) => n + Object.values(r.data ?? {}).filter(Boolean).length, 0);
    expect(served).toBe(10);
    expect(stack.emulators.stripe.stats().total).toBe(10);
    expect([...codes(first), ...codes(second)]).toEqual(Array(40).fill('RATE_LIMITED'));
    expect(first.errors![0]!.extensions).toMatchObject({ connector: 'stripe', retryAfterMs: expect.any(Number) });

    const modest = await stack.run<{ customer: { payments: { edges: unknown[] } }; payment: { id: string } }>(
      `{ customer(id: "cust_demo0040") { payments(first: 3) { edges { node { id } } } } payment(id: "${PAYMENT_IDS[300]}") { id } }`,
      undefined,
      as('modest'),
    );
    expect(modest.errors).toBeUndefined();
    expect(modest.data!.payment.id).toBe(PAYMENT_IDS[300]);
    expect(modest.data!.customer.payments.edges.length).toBeGreaterThan(0);
  });

  it('charges the quota for every attempt: a read retried twice after 503s takes three requests of it', async () => {
    const who = as('retried');
    await readEach([PAYMENT_IDS[400]!], who);
    const before = await stripeQuota();
    await fault({ status: 503, count: 2 });
    stack.resetCounts();
    const res = await readEach([PAYMENT_IDS[401]!], who);
    expect(res.errors).toBeUndefined();
    expect(stack.emulators.stripe.stats().total).toBe(3);
    const after = await stripeQuota();
    console.info(`[outbound-quota] ${shared}: Stripe quota remaining ${before.remaining} -> ${after.remaining} of ${after.limit} for 3 attempts`);
    expect(before.remaining - after.remaining).toBe(3);
  });

  it('never lets its own refusal pass for a provider answer: out of quota, an open circuit stays open', async () => {
    const who = as('breaker');
    const read = (id: number) => stack.run(`{ crmContact(id: "${id}") { id } }`, undefined, who);
    for (const id of [1101, 1102]) expect((await read(id)).errors).toBeUndefined();
    await fault({ status: 503 }, 'hubspot');
    for (const id of [1103, 1104]) expect((await read(id)).errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(stack.connectors.pipeline.health('hubspot').circuit).toBe('open');
    await fault({}, 'hubspot');
    await new Promise((r) => setTimeout(r, 250));
    // The trial call the half-open breaker would let through finds no quota: refused before the breaker.
    const refused = await read(1105);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', connector: 'hubspot' });
    expect(stack.connectors.pipeline.health('hubspot').circuit).toBe('open');
  });
});
