// Stripe's 409s (lock_timeout, idempotency_key_in_use) mean another request holds the object or
// the key: retried with the same idempotency key, and never counted against the breaker.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.ts';
import { jsonFile } from '../helpers/files.ts';

describe('Stripe 409s', () => {
  let stack: Stack;
  const fault = async (spec: Record<string, unknown>) => {
    const res = await fetch(`${stack.emulators.urls.stripe}/__control/faults`, { method: 'POST', body: JSON.stringify(spec) });
    expect(res.status).toBe(200);
  };
  const create = (key: string, amount = 1500) =>
    stack.run<{ createPayment: { id: string } | null }>(
      `mutation { createPayment(input: { customerId: "cust_demo0031", amount: ${amount}, currency: "USD", paymentMethod: "pm_card_visa", idempotencyKey: "${key}" }) { id } }`,
    );
  const paymentsOfCustomer = async (amount: number) => {
    const res = await fetch(`${stack.emulators.urls.stripe}/v1/payment_intents?customer=cus_demo000031&limit=100`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    return ((await res.json()) as { data: { id: string; amount: number }[] }).data.filter((p) => p.amount === amount);
  };

  beforeAll(async () => {
    stack = await startStack('pglite', {
      env: {
        POLICY_FILE: jsonFile('policy.json', {
          stripe: { quota: { points: 10_000, durationMs: 1_000 }, backoffMs: 5, maxAttempts: 4, breaker: { consecutiveFailures: 3 } },
        }),
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    await fault({});
  });

  it.each(['lock_timeout', 'idempotency_key_in_use'])('retries a %s with the same key, and the payment is made once', async (code) => {
    await fault({ status: 409, code, count: 2 });
    stack.resetCounts();
    const amount = code === 'lock_timeout' ? 1501 : 1502;
    const res = await create(`busy-${code}`, amount);
    expect(res.errors).toBeUndefined();
    expect(stack.emulators.stripe.stats().byRoute['POST /v1/payment_intents']).toBe(3);
    const made = await paymentsOfCustomer(amount);
    expect(made.map((p) => p.id)).toEqual([res.data!.createPayment!.id]);
    // The same key again is Stripe's replay of that one payment.
    const again = await create(`busy-${code}`, amount);
    expect(again.data!.createPayment!.id).toBe(res.data!.createPayment!.id);
  });

  it('never opens the breaker, however many 409s there are, and answers with a coded error once retries run out', async () => {
    await fault({ status: 409, code: 'idempotency_key_in_use' });
    for (const n of [1, 2, 3, 4]) {
      const res = await create(`still-busy-${n}`);
      expect(res.data?.createPayment ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS', connector: 'stripe', retryAfterMs: expect.any(Number) });
    }
    await fault({ status: 409 });
    const locked = await create('still-locked');
    expect(locked.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'busy', upstreamCode: 'lock_timeout' });
    // 20 failed attempts over 5 calls, and the circuit is still closed: a 409 is no outage.
    expect(stack.connectors.pipeline.health('stripe').circuit).toBe('closed');
    await fault({});
    const after = await create('after-busy', 1503);
    expect(after.errors).toBeUndefined();
  });
});
