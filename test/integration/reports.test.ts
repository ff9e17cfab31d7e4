// Reports that add up: payments made through the graph (and, for a decline and a cancel, with the
// stripe SDK) on three days set with the Stripe emulator's clock, refunded in part and in full on
// a later day; their webhooks land over HTTP and fill the store's mirror. Then revenueReport and
// paymentsReport equal what Stripe's own list (read back with the stripe SDK, auto-paginated)
// adds up to, and customersByLifecycleStage what the HubSpot emulator holds for the linked
// customers, after stage changes and a deleted contact arrived as HubSpot webhooks. The BI role
// reads the views and is refused the tables; bad ranges and a missing ops:read are refused.
import { Client as HubSpot } from '@hubspot/api-client';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { principalFor } from '../helpers/principals.ts';
import { DEMO_ACCESS_TOKEN } from '../../src/connectors/hubspot/index.ts';
import { DEMO_SECRET_KEY } from '../../src/connectors/stripe/index.ts';
import type { Db } from '../../src/connectors/store/db.ts';
import { until } from '../helpers/until.ts';

const STRIPE_SECRET = 'whsec_test_reports_0123456789abcdef';
const HUBSPOT_SECRET = 'hubspot-reports-client-secret';
const PAY = `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id status } }`;
const REFUND = `mutation($input: RefundPaymentInput!) { refundPayment(input: $input) { id } }`;
const REVENUE = `query($from: Date!, $to: Date!, $currency: Currency) {
  revenueReport(from: $from, to: $to, currency: $currency) {
    from to currency
    days { day currency gross refunded net payments }
    totals { currency gross refunded net payments }
  }
}`;
const PAYMENTS = `query($from: Date!, $to: Date!) { paymentsReport(from: $from, to: $to) { from to groups { status currency payments amount refunded } } }`;
const STAGES = `{ customersByLifecycleStage { hasCrmContact stage customers } }`;

// Days with no seeded payment (the seed's are in the first half of January 2026).
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const DAY1 = at('2026-06-01T10:00:00Z');
const DAY2 = at('2026-06-02T23:59:59Z');
const DAY3 = at('2026-06-03T00:00:00Z');
const REFUND_DAY = at('2026-06-09T12:00:00Z');
const FROM = '2026-06-01';
const TO = '2026-06-10';

type Row = Record<string, string | number | boolean | null>;
const byKeys = (rows: Row[], ...keys: string[]) =>
  [...rows].sort((a, b) => keys.map((k) => String(a[k]).localeCompare(String(b[k]))).find((c) => c !== 0) ?? 0);

describe.each(BACKENDS)('reports on %s', { timeout: 120_000 }, (backend) => {
  let stack: Stack;
  let stripe: Stripe;
  let hubspot: HubSpot;
  let n = 0;

  beforeAll(async () => {
    stack = await startStack(backend, {
      jobs: () => {},
      env: { STRIPE_WEBHOOK_SECRET: STRIPE_SECRET, HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET, WEBHOOK_RETRY_DELAY_SECONDS: '0', WORKFLOW_TRIGGERS: 'none' },
    });
    const base = await stack.server.app.listen({ host: '127.0.0.1', port: 0 });
    stack.emulators.stripe.webhooks!.register(`${base}/webhooks/stripe`, STRIPE_SECRET);
    stack.emulators.hubspot.webhooks!.register(`${base}/webhooks/hubspot`, HUBSPOT_SECRET);
    const url = new URL(stack.emulators.urls.stripe);
    stripe = new Stripe(DEMO_SECRET_KEY, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
    hubspot = new HubSpot({ accessToken: DEMO_ACCESS_TOKEN, basePath: stack.emulators.urls.hubspot, numberOfApiCallRetries: 0 });
  }, 120_000);
  afterAll(async () => {
    await fetch(`${stack?.emulators.urls.stripe}/__control/clock`, { method: 'DELETE' }).catch(() => {});
    await stack?.stop();
  });

  const clock = async (frozen: number) => {
    const res = await fetch(`${stack.emulators.urls.stripe}/__control/clock`, { method: 'POST', body: JSON.stringify({ frozen_time: frozen }) });
    expect(await res.json()).toEqual({ object: 'clock', frozen_time: frozen });
  };
  const pay = async (customerId: string, amount: number, currency: string) => {
    const res = await stack.run<{ createPayment: { id: string; status: string } }>(PAY, {
      input: { customerId, amount, currency, paymentMethod: 'pm_card_visa', idempotencyKey: `rep-${backend}-${++n}` },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createPayment.status).toBe('SUCCEEDED');
    return res.data!.createPayment.id;
  };
  const refund = async (paymentId: string, amount?: number) => {
    const res = await stack.run(REFUND, { input: { paymentId, ...(amount ? { amount } : {}), idempotencyKey: `rep-refund-${backend}-${++n}` } });
    expect(res.errors).toBeUndefined();
  };

  /** What Stripe's own list of the payments made in [FROM, TO] adds up to, per day and currency and per status. */
  const stripeSums = async () => {
    const revenue = new Map<string, Row>();
    const statuses = new Map<string, Row>();
    const mirror: Stripe.PaymentIntent[] = [];
    const list = stripe.paymentIntents.list({
      created: { gte: at(`${FROM}T00:00:00Z`), lt: at(`${TO}T00:00:00Z`) + 86_400 },
      limit: 3,
      expand: ['data.latest_charge'],
    });
    for await (const pi of list) {
      mirror.push(pi);
      const refunded = (pi.latest_charge as Stripe.Charge | null)?.amount_refunded ?? 0;
      const day = new Date(pi.created * 1000).toISOString().slice(0, 10);
      const s = statuses.get(`${pi.status}/${pi.currency}`) ?? { status: pi.status.toUpperCase(), currency: pi.currency, payments: 0, amount: 0, refunded: 0 };
      statuses.set(`${pi.status}/${pi.currency}`, {
        ...s,
        payments: (s.payments as number) + 1,
        amount: (s.amount as number) + pi.amount,
        refunded: (s.refunded as number) + refunded,
      });
      if (pi.status !== 'succeeded') continue;
      const r = revenue.get(`${day}/${pi.currency}`) ?? { day, currency: pi.currency, gross: 0, refunded: 0, net: 0, payments: 0 };
      revenue.set(`${day}/${pi.currency}`, {
        ...r,
        gross: (r.gross as number) + pi.amount,
        refunded: (r.refunded as number) + refunded,
        net: (r.net as number) + pi.amount - refunded,
        payments: (r.payments as number) + 1,
      });
    }
    return { revenue: byKeys([...revenue.values()], 'day', 'currency'), statuses: byKeys([...statuses.values()], 'status', 'currency'), mirror };
  };

  it('makes payments on three days and refunds on a fourth, and the mirror follows their webhooks', async () => {
    await clock(DAY1);
    const full = await pay('cust_demo0011', 10_000, 'USD');
    const partial = await pay('cust_demo0012', 2_500, 'USD');
    await pay('cust_demo0012', 4_200, 'EUR');
    // A declined payment and a canceled one: payments, but no revenue.
    await expect(
      stripe.paymentIntents.create({ customer: 'cus_demo000013', amount: 999, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }),
    ).rejects.toThrow(/declined/);
    const abandoned = await stripe.paymentIntents.create({ customer: 'cus_demo000013', amount: 1_500, currency: 'usd' });
    await stripe.paymentIntents.cancel(abandoned.id);

    await clock(DAY2);
    await pay('cust_demo0014', 7_700, 'GBP');
    const yen = await pay('cust_demo0014', 500, 'JPY');
    // The first second of a day is that day's.
    await clock(DAY3);
    await pay('cust_demo0015', 1_234, 'usd');

    await clock(REFUND_DAY);
    await refund(full);
    await refund(partial, 1_000);
    await refund(yen, 100);

    // Settled when the mirror holds every payment of the days as Stripe has it now.
    const { mirror } = await stripeSums();
    expect(mirror).toHaveLength(8);
    await until('the mirror to match Stripe', async () => {
      await stack.emulators.stripe.webhooks!.idle();
      const rows = await stack.connectors.store.payments.byIds(
        'stripe',
        mirror.map((p) => p.id),
      );
      return rows.every((r, i) => {
        const pi = mirror[i]!;
        const refunded = (pi.latest_charge as Stripe.Charge | null)?.amount_refunded ?? 0;
        return r && r.status === pi.status && r.amountRefunded === refunded && r.createdAt.getTime() === pi.created * 1000;
      });
    });
  });

  it('revenueReport equals the sum of Stripe’s list: succeeded payments by the day they were made, less what was refunded of them', async () => {
    const { revenue } = await stripeSums();
    const res = await stack.run<{ revenueReport: { days: Row[]; totals: Row[]; from: string; to: string; currency: string | null } }>(REVENUE, {
      from: FROM,
      to: TO,
    });
    expect(res.errors).toBeUndefined();
    const report = res.data!.revenueReport;
    expect(report).toMatchObject({ from: FROM, to: TO, currency: null });
    expect(byKeys(report.days, 'day', 'currency')).toEqual(revenue);
    // The figures themselves, so the comparison cannot pass on two empty lists: the refunds of
    // 06-09 lowered the net of the days their payments were made.
    expect(revenue).toEqual([
      { day: '2026-06-01', currency: 'eur', gross: 4_200, refunded: 0, net: 4_200, payments: 1 },
      { day: '2026-06-01', currency: 'usd', gross: 12_500, refunded: 11_000, net: 1_500, payments: 2 },
      { day: '2026-06-02', currency: 'gbp', gross: 7_700, refunded: 0, net: 7_700, payments: 1 },
      { day: '2026-06-02', currency: 'jpy', gross: 500, refunded: 100, net: 400, payments: 1 },
      { day: '2026-06-03', currency: 'usd', gross: 1_234, refunded: 0, net: 1_234, payments: 1 },
    ]);
    expect(report.totals.find((t) => t.currency === 'usd')).toEqual({ currency: 'usd', gross: 13_734, refunded: 11_000, net: 2_734, payments: 3 });

    const usd = await stack.run<{ revenueReport: { days: Row[]; currency: string } }>(REVENUE, { from: '2026-06-02', to: '2026-06-03', currency: 'USD' });
    expect(usd.errors).toBeUndefined();
    expect(usd.data!.revenueReport.currency).toBe('usd');
    expect(usd.data!.revenueReport.days).toEqual([{ day: '2026-06-03', currency: 'usd', gross: 1_234, refunded: 0, net: 1_234, payments: 1 }]);
  });

  it('paymentsReport counts and sums every payment of the days by status and currency, as Stripe’s list does', async () => {
    const { statuses } = await stripeSums();
    const res = await stack.run<{ paymentsReport: { groups: Row[] } }>(PAYMENTS, { from: FROM, to: TO });
    expect(res.errors).toBeUndefined();
    const groups = byKeys(res.data!.paymentsReport.groups, 'status', 'currency');
    expect(groups).toEqual(statuses);
    expect(groups.filter((g) => g.status !== 'SUCCEEDED')).toEqual([
      { status: 'CANCELED', currency: 'usd', payments: 1, amount: 1_500, refunded: 0 },
      { status: 'REQUIRES_PAYMENT_METHOD', currency: 'usd', payments: 1, amount: 999, refunded: 0 },
    ]);
  });

  it('customersByLifecycleStage matches the CRM’s stages of the linked customers, after stage changes and a deleted contact', async () => {
    const customers = stack.connectors.store.customers;
    // A customer created for a contact the CRM already had: linked with the contact's stage (no event says it).
    const email = `reports-${backend}@example.com`;
    const contact = await hubspot.crm.contacts.basicApi.create({ properties: { email, lifecyclestage: 'salesqualifiedlead' }, associations: [] });
    // Its creation event applied first, while no customer has the email.
    await until('the contact creation applied', async () => {
      await stack.emulators.hubspot.webhooks!.idle();
      const { items } = await stack.connectors.store.webhooks.list({ provider: 'hubspot' }, 100);
      return items.some((i) => i.node.objectId === contact.id && i.node.status === 'processed');
    });
    const made = await stack.run<{ createCustomer: { id: string; linkStatus: string } }>(
      `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id linkStatus } }`,
      { input: { email, name: 'Report Reader' } },
    );
    expect(made.errors).toBeUndefined();
    expect(made.data!.createCustomer.linkStatus).toBe('LINKED');
    expect((await customers.byIds([made.data!.createCustomer.id]))[0]!.crmLifecycleStage).toBe('salesqualifiedlead');

    await hubspot.crm.contacts.basicApi.update('1021', { properties: { lifecyclestage: 'evangelist' } });
    await hubspot.crm.contacts.basicApi.update('1022', { properties: { lifecyclestage: 'other' } });
    await hubspot.crm.contacts.basicApi.archive('1023');
    await until('the contact events to land', async () => {
      await stack.emulators.hubspot.webhooks!.idle();
      const [a, b, c] = await customers.byIds(['cust_demo0021', 'cust_demo0022', 'cust_demo0023']);
      return a?.crmLifecycleStage === 'evangelist' && b?.crmLifecycleStage === 'other' && c?.crmContactId === null;
    });

    // Every customer of the store, and the stage the CRM has for each linked one.
    const all: { id: string; crmContactId: string | null }[] = [];
    for (let after: string | null = null; ;) {
      const page = await customers.list({ first: 100, after });
      all.push(...page.edges.map((e) => e.node));
      if (!page.hasNextPage) break;
      after = page.edges.at(-1)!.cursor;
    }
    const linked = all.filter((c) => c.crmContactId).map((c) => c.crmContactId!);
    const stageOf = new Map<string, string | null>();
    for (let i = 0; i < linked.length; i += 100) {
      const batch = await hubspot.crm.contacts.batchApi.read({
        inputs: linked.slice(i, i + 100).map((id) => ({ id })),
        properties: ['lifecyclestage'],
        propertiesWithHistory: [],
      });
      for (const c of batch.results) stageOf.set(c.id, c.properties.lifecyclestage ?? null);
    }
    const expected = new Map<string, Row>();
    for (const c of all) {
      const key = c.crmContactId ? `crm/${stageOf.get(c.crmContactId) ?? ''}` : 'none';
      const row = expected.get(key) ?? { hasCrmContact: !!c.crmContactId, stage: c.crmContactId ? (stageOf.get(c.crmContactId) ?? null) : null, customers: 0 };
      expected.set(key, { ...row, customers: (row.customers as number) + 1 });
    }

    const res = await stack.run<{ customersByLifecycleStage: Row[] }>(STAGES);
    expect(res.errors).toBeUndefined();
    const rows = res.data!.customersByLifecycleStage;
    expect(byKeys(rows, 'hasCrmContact', 'stage')).toEqual(byKeys([...expected.values()], 'hasCrmContact', 'stage'));
    expect(rows.find((r) => !r.hasCrmContact)).toEqual({ hasCrmContact: false, stage: null, customers: 1 });
    expect(rows.find((r) => r.stage === 'evangelist')).toEqual({ hasCrmContact: true, stage: 'evangelist', customers: 1 });
    expect(rows.reduce((s, r) => s + (r.customers as number), 0)).toBe(all.length);
  });

  it('lets the BI role read the views, and nothing else', async () => {
    const db: Db = stack.connectors.store.db;
    const { rows: role } = await db.query<{ rolcanlogin: boolean }>(`select rolcanlogin from pg_roles where rolname = 'switchyard_reports'`);
    expect(role).toEqual([{ rolcanlogin: false }]);
    await db.transaction(async (tx) => {
      await tx.query('set local role switchyard_reports');
      const { rows } = await tx.query<{ net: string }>(
        `select sum(net)::text as net from report_revenue_daily where day between '2026-06-01' and '2026-06-10' and currency = 'usd'`,
      );
      expect(rows).toEqual([{ net: '2734' }]);
      expect((await tx.query(`select * from report_payments_by_status`)).rows.length).toBeGreaterThan(0);
      expect((await tx.query(`select * from report_customers_by_lifecycle_stage`)).rows.length).toBeGreaterThan(0);
      for (const table of ['customers', 'payments', 'audit_events', 'webhook_events', 'api_keys']) {
        await expect(
          tx.transaction((t) => t.query(`select 1 from ${table} limit 1`)),
          table,
        ).rejects.toMatchObject({ code: '42501' });
      }
    });
  });

  it('refuses a bad range, a bad currency and a caller without ops:read', async () => {
    const code = async (variables: Record<string, unknown>, query = REVENUE) => (await stack.run(query, variables)).errors?.[0]?.extensions;
    expect(await code({ from: '2026-06-10', to: '2026-06-01' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    // At most 366 days, both ends counted.
    expect(await code({ from: '2025-01-01', to: '2026-01-02' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    expect(await code({ from: '2025-01-01', to: '2026-01-01' })).toBeUndefined();
    expect(await code({ from: '2026-06-01', to: '2026-06-01' })).toBeUndefined();
    expect(await code({ from: '2026-06-10', to: '2026-06-01' }, PAYMENTS)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(await code({ from: '2026-02-30', to: '2026-03-01' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    expect(await code({ from: FROM, to: TO, currency: 'US' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currency' });
    const literal = await stack.run(`{ revenueReport(from: "2026-06-01", to: "2026-06-02", currency: "dollars") { currency } }`);
    expect(literal.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currency' });

    for (const query of [REVENUE, PAYMENTS, STAGES]) {
      const res = await stack.run(query, { from: FROM, to: TO }, principalFor('app'));
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(res.data ?? null).toBeNull();
    }
    const operator = await stack.run(STAGES, {}, principalFor('operator'));
    expect(operator.errors).toBeUndefined();
  });
});
