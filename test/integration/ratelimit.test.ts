// Inbound limits per principal and outbound quotas per connector, through executeOperation.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_STORES, TEST_ADMIN, startStack, type Stack } from '../helpers/stack.ts';

function policyFile(policy: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sy-policy-')), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

describe.each(SHARED_STORES)('rate limits (shared state in %s)', (shared) => {
  let stack: Stack;
  beforeAll(async () => {
    // HubSpot: one request per 2 s, and no waiting for the next window on contact reads.
    const policy = {
      hubspot: { quota: { points: 1, durationMs: 2_000 }, quotaWaitMs: 0 },
      stripe: { quota: { points: 2, durationMs: 1_000 }, quotaWaitMs: 1_500 },
    };
    stack = await startStack('pglite', {
      shared,
      env: { INBOUND_RATE_LIMIT: '3', INBOUND_BURST: '1', INBOUND_RATE_WINDOW_MS: '60000', POLICY_FILE: policyFile(policy) },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('limits each principal to its allowance plus burst, with RATE_LIMITED and retryAfterMs beyond it', async () => {
    const alice = { ...TEST_ADMIN, id: `alice-${shared}` };
    const bob = { ...TEST_ADMIN, id: `bob-${shared}` };
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await stack.run(`{ customer(id: "cust_demo0001") { id } }`, undefined, alice);
      codes.push(res.errors?.[0]?.extensions?.code as string | undefined);
      if (res.errors) expect(res.errors[0]!.extensions).toMatchObject({ retryAfterMs: expect.any(Number), limit: { points: 3, burst: 1 } });
    }
    // 3 points a window plus a burst of 1: four operations pass, the rest are refused before any resolver ran.
    expect(codes).toEqual([undefined, undefined, undefined, undefined, 'RATE_LIMITED', 'RATE_LIMITED']);
    // Another principal has its own allowance.
    const other = await stack.run(`{ customer(id: "cust_demo0001") { id } }`, undefined, bob);
    expect(other.errors).toBeUndefined();
  });

  it('refuses an outbound call over the provider quota when it may not wait, and queues briefly when it may', async () => {
    const who = { ...TEST_ADMIN, id: `quota-${shared}` };
    const first = await stack.run(`{ crmContact(id: "1101") { id } }`, undefined, who);
    expect(first.errors).toBeUndefined();
    const second = await stack.run(`{ crmContact(id: "1102") { id } }`, undefined, { ...who, id: `${who.id}-2` });
    expect(second.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', connector: 'hubspot', retryAfterMs: expect.any(Number) });

    // Stripe: 2 per second with up to 1.5 s of queueing: three reads all succeed, the third after waiting.
    const started = Date.now();
    const reads = await Promise.all(
      ['pi_demo000201', 'pi_demo000202', 'pi_demo000203'].map((id, i) =>
        stack.run(`{ payment(id: "${id}") { id } }`, undefined, { ...who, id: `${who.id}-s${i}` }),
      ),
    );
    for (const r of reads) expect(r.errors).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});
