// Reconciliation through the graph, on seeded drift of every kind it names: emails and names
// changed upstream, a deleted contact, orphans in both systems, a stray payments customer, payments
// the store never saw (the demo seed's) or saw stale, a customer stuck PROVISIONING, a stale
// lifecycle stage, a run waiting for a person. `runReconciliation` reports all of it; with fix it
// repairs it (through linkCustomer runs); a second run reports nothing; the upstreams show the
// repairs (read back with the SDKs), and the revenue report then equals Stripe's own list.
import { Client } from '@hubspot/api-client';
import Stripe from 'stripe';
import { FaultController } from '../../src/emulators/faults.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { principalFor } from '../helpers/principals.ts';
import { DEMO_ACCESS_TOKEN } from '../../src/connectors/hubspot/index.ts';
import { until } from '../helpers/until.ts';
import { quickPolicyFile } from '../helpers/files.ts';

const RUN = `mutation($fix: Boolean, $del: Boolean) { runReconciliation(fix: $fix, deleteStrays: $del) { id status } }`;
const GET = `query($id: ID) { reconciliation(id: $id) { id status fix error counts { name value } driftCounts { kind count unrepaired }
  drift(first: 1000) { seq kind system customerId upstreamId detail repair repairStatus repairError } } }`;
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id linkStatus } }`;
const REVENUE = `query { revenueReport(from: "2026-01-01", to: "2026-12-31") { totals { currency net payments } } }`;

type Drift = {
  seq: number;
  kind: string;
  system: string;
  customerId: string | null;
  upstreamId: string | null;
  detail: string;
  repairStatus: string | null;
  repairError: string | null;
};
type Rec = {
  id: string;
  status: string;
  error: string | null;
  counts: { name: string; value: number }[];
  driftCounts: { kind: string; count: number; unrepaired: number }[];
  drift: Drift[];
};

async function reconcile(stack: Stack, fix: boolean, del = false): Promise<Rec> {
  const started = await stack.run<{ runReconciliation: { id: string } }>(RUN, { fix, del });
  expect(started.errors).toBeUndefined();
  const id = started.data!.runReconciliation.id;
  return until(
    `reconciliation ${id}`,
    async () => {
      const res = await stack.run<{ reconciliation: Rec }>(GET, { id });
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      const r = res.data!.reconciliation;
      return r.status === 'COMPLETED' || r.status === 'FAILED' ? r : null;
    },
    90_000,
  );
}

const kinds = (r: Rec) => Object.fromEntries(r.driftCounts.map((d) => [d.kind, d.count]));

describe.each(BACKENDS)('reconciliation on %s', { timeout: 240_000 }, (backend) => {
  let stack: Stack;
  let stripe: Stripe;
  let hubspot: Client;
  let attentionCustomer: string;

  beforeAll(async () => {
    stack = await startStack(backend, {
      jobs: () => {},
      env: {
        WORKFLOW_TRIGGERS: 'none',
        POLICY_FILE: quickPolicyFile(['hubspot'], {
          maxAttempts: 1,
          backoffMs: 10,
          retryBudgetMs: 500,
          breaker: { consecutiveFailures: 1000, halfOpenAfterMs: 100 },
        }),
        WORKFLOW_MAX_ATTEMPTS: '2',
        WORKFLOW_RETRY_DELAY_MS: '50',
        WORKFLOW_RETRY_DELAY_MAX_MS: '100',
        WORKFLOW_WAIT_MS: '300',
        WORKFLOW_ATTENTION_RETRY_SECONDS: '3600',
        SYNC_STUCK_AFTER_MINUTES: '5',
      },
    });
    const url = new URL(stack.emulators.urls.stripe);
    stripe = new Stripe('sk_test_reconcile_setup', { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
    hubspot = new Client({ accessToken: DEMO_ACCESS_TOKEN, basePath: stack.emulators.urls.hubspot, numberOfApiCallRetries: 0 });
    const { store } = stack.connectors;

    // A run that waits for a person: the CRM down past its attempts.
    stack.emulators.hubspot.faults.set(FaultController.parse({ status: 503, errorRate: 1 }));
    const made = await stack.run<{ createCustomer: { id: string } }>(CREATE, { input: { email: 'attention@example.com', name: 'Needs Person' } });
    attentionCustomer = made.data!.createCustomer.id;
    await until('the run to need attention', async () => (await store.workflows.list({ status: 'needs_attention' }, 5)).totalCount === 1, 90_000);
    stack.emulators.hubspot.faults.clear();

    await hubspot.crm.contacts.basicApi.update('1001', { properties: { email: 'changed.in.crm@example.com' } });
    await stripe.customers.update('cus_demo000002', { name: 'Renamed In Payments' });
    await hubspot.crm.contacts.basicApi.archive('1003');
    await hubspot.crm.contacts.basicApi.update('1005', { properties: { lifecyclestage: 'evangelist' } });
    await stripe.customers.create({ email: 'orphan.payments@example.com', name: 'Orphan Payments' });
    await hubspot.crm.contacts.basicApi.create({ properties: { email: 'orphan.crm@example.com', firstname: 'Orphan', lastname: 'Crm' }, associations: [] });
    await stripe.customers.create({ email: 'stray@example.com', metadata: { switchyard_id: 'cust_000000000000000000000000' } });
    // A payment the store saw before its refund.
    const refunded = (await stripe.paymentIntents.list({ customer: 'cus_demo000001', limit: 100 })).data.find((p) => p.status === 'succeeded')!;
    await store.payments.upsert({
      provider: 'stripe',
      id: refunded.id,
      providerCustomerId: 'cus_demo000001',
      status: 'succeeded',
      amount: refunded.amount,
      currency: refunded.currency,
      amountRefunded: 0,
      createdAt: new Date(refunded.created * 1000),
    });
    await stripe.refunds.create({ payment_intent: refunded.id, amount: 100 });
    // A row left PROVISIONING by a process that died before the workflows were durable.
    await store.customers.insert({ id: 'cust_stuck0000000000000000000', email: 'stuck@example.com', name: 'Stuck Row' });
    await store.db.query(`update customers set updated_at = now() - interval '1 hour' where id = 'cust_stuck0000000000000000000'`);
  });
  afterAll(() => stack?.stop());

  it('reports every kind of drift seeded, and repairs nothing without fix', async () => {
    const r = await reconcile(stack, false);
    expect(r.status).toBe('COMPLETED');
    const k = kinds(r);
    expect(k).toMatchObject({ field_mismatch: 2, link_broken: 1, orphan: 2, stray: 1, customer_stuck: 1, payment_stale: 1, run_needs_attention: 1 });
    // Every seeded payment but the one the store saw is missing from its mirror (the demo seed writes none).
    const seededPayments = (await stripe.paymentIntents.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 })).length;
    expect(k.payment_missing).toBe(seededPayments - 1);
    expect(k.stage_stale).toBeGreaterThanOrEqual(1);
    const drift = r.drift;
    expect(drift.find((d) => d.kind === 'field_mismatch' && d.customerId === 'cust_demo0001')!.detail).toContain('changed.in.crm@example.com');
    expect(drift.find((d) => d.kind === 'link_broken')).toMatchObject({ system: 'crm', customerId: 'cust_demo0003', upstreamId: '1003' });
    expect(drift.find((d) => d.kind === 'run_needs_attention')!.customerId).toBe(attentionCustomer);
    expect(drift.every((d) => d.repairStatus === null)).toBe(true);
    // Nothing changed upstream.
    expect((await stripe.customers.retrieve('cus_demo000002')) as Stripe.Customer).toMatchObject({ name: 'Renamed In Payments' });
  });

  it('repairs it all with fix (strays deleted only because it was asked), and a second run finds nothing', async () => {
    const fixed = await reconcile(stack, true, true);
    expect(fixed.status).toBe('COMPLETED');
    expect(fixed.drift.filter((d) => d.repairStatus !== 'FIXED').map((d) => `${d.kind} ${d.repairStatus} ${d.repairError}`)).toEqual([]);
    expect(fixed.driftCounts.every((d) => d.unrepaired === 0)).toBe(true);

    const again = await reconcile(stack, false);
    expect(again.driftCounts).toEqual([]);
    expect(again.drift).toEqual([]);

    // Upstream, as the repairs left it: the CRM's email reached the store and Stripe; Stripe's name went back to the CRM's.
    const [one] = await stack.connectors.store.customers.byIds(['cust_demo0001']);
    expect(one!.email).toBe('changed.in.crm@example.com');
    expect(((await stripe.customers.retrieve('cus_demo000001')) as Stripe.Customer).email).toBe('changed.in.crm@example.com');
    const two = (await stripe.customers.retrieve('cus_demo000002')) as Stripe.Customer;
    const contact2 = await hubspot.crm.contacts.basicApi.getById('1002', ['firstname', 'lastname']);
    expect(two.name).toBe(`${contact2.properties.firstname} ${contact2.properties.lastname}`);
    // The deleted contact was made again, for the same customer, once.
    const [three] = await stack.connectors.store.customers.byIds(['cust_demo0003']);
    expect(three).toMatchObject({ linkStatus: 'linked' });
    expect(three!.crmContactId).not.toBe('1003');
    // Orphans adopted and linked both ways; the stray is gone; the stuck row and the waiting run are done.
    for (const email of ['orphan.payments@example.com', 'orphan.crm@example.com', 'stuck@example.com', 'attention@example.com']) {
      const c = await stack.connectors.store.customers.byEmail(email);
      expect(c, email).toMatchObject({ linkStatus: 'linked' });
      expect((await stripe.customers.list({ email })).data).toHaveLength(1);
    }
    const stray = (await stripe.customers.list({ email: 'stray@example.com' })).data;
    expect(stray).toEqual([]);

    // The mirror now holds every payment as Stripe has it: the revenue report adds up to Stripe's own list.
    const all = await stripe.paymentIntents.list({ limit: 100, expand: ['data.latest_charge'] }).autoPagingToArray({ limit: 10_000 });
    const net = new Map<string, number>();
    for (const p of all) {
      if (p.status !== 'succeeded' || new Date(p.created * 1000).getUTCFullYear() !== 2026) continue;
      const refundedAmount = typeof p.latest_charge === 'object' && p.latest_charge ? p.latest_charge.amount_refunded : 0;
      net.set(p.currency, (net.get(p.currency) ?? 0) + p.amount - refundedAmount);
    }
    const report = await stack.run<{ revenueReport: { totals: { currency: string; net: number }[] } }>(REVENUE);
    expect(Object.fromEntries(report.data!.revenueReport.totals.map((t) => [t.currency, t.net]))).toEqual(Object.fromEntries(net));
  });

  it("fails with the CRM's error while the CRM is down (the payments listing beside it stops too), and completes once it is back", async () => {
    const { stripe: payments, hubspot: crm } = stack.emulators;
    // The payments provider slow, so the CRM's refusal comes while its listing is under way.
    crm.faults.set(FaultController.parse({ status: 503, errorRate: 1 }));
    payments.faults.set(FaultController.parse({ latencyMs: 150 }));
    const before = payments.stats().total;
    let failed: Rec;
    try {
      failed = await reconcile(stack, false);
    } finally {
      crm.faults.clear();
      payments.faults.clear();
    }
    const listedWhileFailing = payments.stats().total - before;
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBeTruthy();
    expect(failed.error).not.toMatch(/abort/i);
    expect(failed.drift).toEqual([]);

    const again = payments.stats().total;
    const after = await reconcile(stack, false);
    expect(after.status).toBe('COMPLETED');
    // A whole listing takes several pages of customers and payments; the failed run stopped after its first.
    expect(payments.stats().total - again).toBeGreaterThan(3);
    expect(listedWhileFailing).toBeLessThanOrEqual(1);
  });

  it('refuses bad input with a coded error, and operators without ops:write', async () => {
    const bad = await stack.run(RUN, { fix: false, del: true });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'deleteStrays' });
    const notFound = await stack.run(GET, { id: 'nope' });
    expect(notFound.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    const refused = await stack.run(RUN, { fix: true }, principalFor('operator'));
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const read = await stack.run(GET, {}, principalFor('operator'));
    expect(read.errors).toBeUndefined();
  });
});
