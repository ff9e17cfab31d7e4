// Triggered workflows, through the public entry points: a payment made with the graph's
// createPayment succeeds in the Stripe emulator, which sends its signed webhooks to this server
// over HTTP; the event is applied on the queue and starts paymentSucceeded in the same commit;
// the run moves the HubSpot emulator's contact to `customer` with its total paid and notifies
// the notify emulator. Also: a duplicated and a replayed event start no second run, a CRM outage
// leaves the run retrying until it completes, a stage past customer stays, an unlinked payments
// customer is skipped, and with the trigger off no run starts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { principalFor } from '../helpers/principals.ts';
import { DEMO_ACCESS_TOKEN } from '../../src/connectors/hubspot/index.ts';
import { DEMO_SECRET_KEY } from '../../src/connectors/stripe/index.ts';
import { formatTotal } from '../../src/workflows/paymentSucceeded.ts';

const STRIPE_SECRET = 'whsec_test_triggers_0123456789abcdef';
const RUNS = `query($f: WorkflowRunFilter) { workflowRuns(filter: $f, first: 50) { totalCount edges { node { id workflow status subject steps { name kind status attempts errorCode resultSummary } } } } }`;
const PAY = `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id status } }`;

type Run = {
  id: string;
  workflow: string;
  status: string;
  subject: string;
  steps: { name: string; kind: string; status: string; attempts: number; errorCode: string | null; resultSummary: string | null }[];
};

function policyFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sy-triggers-')), 'policy.json');
  // Few, quick pipeline retries: the workflow's own retries on the queue are what the outage case is about.
  const quick = { maxAttempts: 2, backoffMs: 20, retryBudgetMs: 1_000, breaker: { consecutiveFailures: 50, halfOpenAfterMs: 200 } };
  writeFileSync(file, JSON.stringify({ hubspot: quick }));
  return file;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startTriggerStack(backend: Parameters<typeof startStack>[0], env: Record<string, string> = {}): Promise<{ stack: Stack; stripe: Stripe }> {
  const stack = await startStack(backend, {
    jobs: () => {},
    env: {
      STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
      POLICY_FILE: policyFile(),
      WEBHOOK_RETRY_DELAY_SECONDS: '0',
      WORKFLOW_RETRY_DELAY_MS: '200',
      WORKFLOW_RETRY_DELAY_MAX_MS: '400',
      WORKFLOW_MAX_ATTEMPTS: '20',
      WORKFLOW_LEASE_MS: '3000',
      ...env,
    },
  });
  // The emulator delivers to this server over HTTP, as demo mode points it (src/runtime.ts).
  const base = await stack.server.app.listen({ host: '127.0.0.1', port: 0 });
  stack.emulators.stripe.webhooks!.register(`${base}/webhooks/stripe`, STRIPE_SECRET);
  const url = new URL(stack.emulators.urls.stripe);
  const stripe = new Stripe(DEMO_SECRET_KEY, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
  return { stack, stripe };
}

describe.each(BACKENDS)('triggered workflows on %s', { timeout: 120_000 }, (backend) => {
  let stack: Stack;
  let stripe: Stripe;
  let n = 0;

  beforeAll(async () => {
    ({ stack, stripe } = await startTriggerStack(backend));
  }, 120_000);
  afterAll(() => stack?.stop());

  const pay = async (customerId: string, amount: number, currency = 'USD') => {
    const res = await stack.run<{ createPayment: { id: string; status: string } }>(PAY, {
      input: { customerId, amount, currency, paymentMethod: 'pm_card_visa', idempotencyKey: `trig-${backend}-${++n}` },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createPayment.status).toBe('SUCCEEDED');
    return res.data!.createPayment.id;
  };
  const runs = async (filter: Record<string, unknown> = { workflow: 'paymentSucceeded' }) => {
    const res = await stack.run<{ workflowRuns: { edges: { node: Run }[] } }>(RUNS, { f: filter }, principalFor('operator'));
    expect(res.errors).toBeUndefined();
    return res.data!.workflowRuns.edges.map((e) => e.node);
  };
  const runOf = (paymentId: string) => runs({ workflow: 'paymentSucceeded', subject: paymentId });
  const settled = (paymentId: string, status = 'COMPLETED') =>
    until(`the run for ${paymentId} ${status}`, async () => (await runOf(paymentId)).find((r) => r.status === status));
  const contact = async (id: string) => {
    const res = await fetch(`${stack.emulators.urls.hubspot}/crm/v3/objects/contacts/${id}?properties=lifecyclestage,switchyard_total_paid`, {
      headers: { authorization: `Bearer ${DEMO_ACCESS_TOKEN}` },
    });
    return ((await res.json()) as { properties: Record<string, string | null> }).properties;
  };
  const setStage = (id: string, stage: string) =>
    fetch(`${stack.emulators.urls.hubspot}/crm/v3/objects/contacts/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${DEMO_ACCESS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { lifecyclestage: stage } }),
    });
  const notifications = async (paymentId: string) => {
    const res = await fetch(`${stack.emulators.urls.notify}/__control/deliveries`);
    const { deliveries } = (await res.json()) as { deliveries: { kind: string; attempts: number; rawBody: string; body: any }[] };
    return deliveries.filter((d) => d.rawBody.includes(paymentId));
  };
  /** What Stripe's own list of the customer's payments adds up to: succeeded, less refunds, per currency. */
  const stripeTotal = async (providerCustomerId: string) => {
    const sums = new Map<string, number>();
    for await (const pi of stripe.paymentIntents.list({ customer: providerCustomerId, limit: 100, expand: ['data.latest_charge'] })) {
      if (pi.status !== 'succeeded') continue;
      const refunded = (pi.latest_charge as Stripe.Charge | null)?.amount_refunded ?? 0;
      sums.set(pi.currency, (sums.get(pi.currency) ?? 0) + pi.amount - refunded);
    }
    return formatTotal([...sums].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ amount, currency })));
  };
  const fault = (system: 'hubspot', spec: Record<string, unknown>) =>
    fetch(`${stack.emulators.urls[system]}/__control/faults`, { method: 'POST', body: JSON.stringify(spec) });

  // Demo customer 6: payments customer cus_demo000006, contact 1006 at `subscriber`, no earlier payments.
  it('moves the contact to customer with its total paid, notifies once, and shows the run with its steps', async () => {
    const first = await pay('cust_demo0006', 4_200);
    const run = await settled(first);
    expect(run.steps.map((s) => [s.name, s.status])).toEqual([
      ['customer', 'COMPLETED'],
      ['total', 'COMPLETED'],
      ['crm', 'COMPLETED'],
      ['notify', 'COMPLETED'],
    ]);
    expect(run.steps[0]!.resultSummary).toBe('customer cust_demo0006, CRM contact 1006');
    expect(run.steps[2]!.resultSummary).toBe('contact 1006: stage subscriber -> customer, total paid 42.00 USD');
    expect(await contact('1006')).toMatchObject({ lifecyclestage: 'customer', switchyard_total_paid: '42.00 USD' });
    const sent = await notifications(first);
    // Demo mode has two transports (Slack and a signed webhook): one message through each.
    expect(sent.map((d) => d.kind).sort()).toEqual(['slack', 'webhook']);
    const signed = sent.find((d) => d.kind === 'webhook')!;
    expect(signed.attempts).toBe(1);
    expect(signed.body).toMatchObject({
      type: 'workflow.payment_succeeded',
      data: { details: { paymentId: first, amount: '42.00 USD', totalPaid: '42.00 USD' } },
    });

    // A second payment, in another currency: the total is what Stripe's own list adds up to.
    const second = await pay('cust_demo0006', 1_550, 'EUR');
    await settled(second);
    const total = await stripeTotal('cus_demo000006');
    expect(total).toBe('15.50 EUR, 42.00 USD');
    expect((await contact('1006')).switchyard_total_paid).toBe(total);
    expect(await notifications(second)).toHaveLength(2);
    expect((await runs()).filter((r) => r.subject === first || r.subject === second)).toHaveLength(2);
  });

  it('starts one run for an event delivered twice and replayed', async () => {
    const hooks = stack.emulators.stripe.webhooks!;
    await hooks.idle();
    const before = hooks.stats().delivered;
    hooks.setFaults({ duplicateRate: 1 });
    let paymentId: string;
    try {
      paymentId = await pay('cust_demo0018', 990);
      await settled(paymentId);
      await stack.emulators.stripe.webhooks!.idle();
    } finally {
      stack.emulators.stripe.webhooks!.clearFaults();
    }
    const events = (await stack.connectors.store.webhooks.list({ provider: 'stripe' }, 100)).items.map((i) => i.node).filter((e) => e.objectId === paymentId);
    // Every event came twice, and is once in the inbox (payment_intent.created, .succeeded, charge.succeeded).
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(hooks.stats().delivered - before).toBe(2 * events.length);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const succeeded = events.find((e) => e.type === 'payment_intent.succeeded')!;
    const replay = await stack.run<{ replayWebhookEvent: { id: string } }>(`mutation($id: ID!) { replayWebhookEvent(id: $id) { id } }`, { id: succeeded.id });
    expect(replay.errors).toBeUndefined();
    await until('the replayed event processed', async () => {
      const e = await stack.connectors.store.webhooks.get(succeeded.id);
      return e?.status === 'processed' && e.attempts >= 2;
    });
    expect(await runOf(paymentId)).toHaveLength(1);
    expect(await notifications(paymentId)).toHaveLength(2);
  });

  it('rolls back a run whose event could not be marked processed, and starts it once when the event is applied again', async () => {
    const engine = stack.server.services.workflows!;
    const startIn = engine.startIn.bind(engine);
    let failures = 0;
    // The run's rows are written, then the transaction fails before it commits (as a process dying there would).
    engine.startIn = (async (...args: Parameters<typeof startIn>) => {
      const id = await startIn(...args);
      if (failures++ === 0) throw new Error('the process died before the commit');
      return id;
    }) as typeof engine.startIn;
    let paymentId: string;
    try {
      paymentId = await pay('cust_demo0048', 3_300);
      await settled(paymentId);
    } finally {
      engine.startIn = startIn;
    }
    // The event whose commit failed was applied again (its second attempt), and is processed now.
    const events = await until('every event of the payment processed', async () => {
      const mine = (await stack.connectors.store.webhooks.list({ provider: 'stripe' }, 100)).items.map((i) => i.node).filter((e) => e.objectId === paymentId);
      return mine.length >= 2 && mine.every((e) => e.status === 'processed') ? mine : undefined;
    });
    expect(failures).toBeGreaterThanOrEqual(2);
    expect(events.filter((e) => e.attempts >= 2)).toHaveLength(1);
    expect(await runOf(paymentId)).toHaveLength(1);
    expect(await notifications(paymentId)).toHaveLength(2);
  });

  it('keeps retrying through a CRM outage and completes once the CRM is back, with the total as it is then', async () => {
    await fault('hubspot', { status: 503, count: 100_000 });
    const waiting = (paymentId: string) =>
      until(`the crm step of ${paymentId} failing and retried`, async () => {
        const [run] = await runOf(paymentId);
        const crm = run?.steps.find((s) => s.name === 'crm');
        return run?.status === 'PENDING' && crm && crm.attempts >= 2 ? run : undefined;
      });
    let first: string;
    let second: string;
    try {
      first = await pay('cust_demo0024', 2_000);
      const run = await waiting(first);
      expect(run.steps.find((s) => s.name === 'crm')!.errorCode).toBe('UPSTREAM_UNAVAILABLE');
      expect(run.steps.find((s) => s.name === 'total')!.resultSummary).toBe('20.00 USD');
      // A second payment while the first run waits: whichever run writes last, it writes both.
      second = await pay('cust_demo0024', 500);
      await waiting(second);
      expect(await notifications(first)).toHaveLength(0);
    } finally {
      await fault('hubspot', {});
    }
    const run = await settled(first);
    await settled(second);
    expect(run.steps.find((s) => s.name === 'crm')!.attempts).toBeGreaterThanOrEqual(3);
    const total = await stripeTotal('cus_demo000024');
    expect(total).toBe('25.00 USD');
    expect(await contact('1024')).toMatchObject({ lifecyclestage: 'customer', switchyard_total_paid: total });
    expect(await notifications(first)).toHaveLength(2);
    expect(await notifications(second)).toHaveLength(2);
  });

  it('leaves a stage past customer as it is, and still writes the total', async () => {
    expect((await setStage('1030', 'evangelist')).status).toBe(200);
    const paymentId = await pay('cust_demo0030', 12_345);
    const run = await settled(paymentId);
    expect(run.steps.find((s) => s.name === 'crm')!.resultSummary).toBe('contact 1030: stage evangelist -> evangelist, total paid 123.45 USD');
    expect(await contact('1030')).toMatchObject({ lifecyclestage: 'evangelist', switchyard_total_paid: '123.45 USD' });
  });

  it('completes as skipped for a payments customer no store customer links', async () => {
    const stranger = await stripe.customers.create({ email: `stranger-${backend}@example.com` });
    const pi = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', customer: stranger.id, payment_method: 'pm_card_visa', confirm: true });
    expect(pi.status).toBe('succeeded');
    const run = await settled(pi.id);
    expect(run.steps.map((s) => s.resultSummary)).toEqual(Array(4).fill('skipped: no linked contact'));
    expect(await notifications(pi.id)).toHaveLength(0);
  });
});

describe.each(BACKENDS)('with a total-paid property the CRM does not define on %s', { timeout: 120_000 }, (backend) => {
  let stack: Stack;
  beforeAll(async () => {
    ({ stack } = await startTriggerStack(backend, { CRM_TOTAL_PAID_PROPERTY: 'lifetime_paid' }));
  }, 120_000);
  afterAll(() => stack?.stop());

  const runOf = async (paymentId: string) =>
    until(`the run for ${paymentId} finished`, async () => {
      const res = await stack.run<{ workflowRuns: { edges: { node: Run & { errorCode: string | null; errorMessage: string | null } }[] } }>(
        `query($f: WorkflowRunFilter) { workflowRuns(filter: $f) { edges { node { id status subject errorCode errorMessage steps { name kind status attempts errorCode resultSummary } } } } }`,
        { f: { workflow: 'paymentSucceeded', subject: paymentId } },
      );
      const run = res.data?.workflowRuns.edges[0]?.node;
      return run && ['COMPLETED', 'COMPENSATED', 'NEEDS_ATTENTION'].includes(run.status) ? run : undefined;
    });
  const pay = async (customerId: string, key: string) =>
    (
      await stack.run<{ createPayment: { id: string } }>(PAY, {
        input: { customerId, amount: 800, currency: 'USD', paymentMethod: 'pm_card_visa', idempotencyKey: `${key}-${backend}` },
      })
    ).data!.createPayment.id;
  const hubspot = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.emulators.urls.hubspot}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${DEMO_ACCESS_TOKEN}`, 'content-type': 'application/json' },
    });

  it('fails the run for good, visibly, until the property is defined; then writes it', async () => {
    const refused = await runOf(await pay('cust_demo0042', 'undefined-prop'));
    // Refused, not retried: the CRM said no, and nothing it did needs undoing.
    expect(refused).toMatchObject({ status: 'COMPENSATED', errorCode: 'UPSTREAM_REJECTED' });
    expect(refused.steps.find((s) => s.name === 'crm')).toMatchObject({ status: 'FAILED', attempts: 1, errorCode: 'UPSTREAM_REJECTED' });
    expect(refused.steps.some((s) => s.name === 'notify')).toBe(false);
    const before = (await (await hubspot('/crm/v3/objects/contacts/1042?properties=lifecyclestage')).json()) as { properties: Record<string, string> };
    expect(before.properties.lifecyclestage).toBe('subscriber');

    const defined = await hubspot('/crm/v3/properties/contacts', {
      method: 'POST',
      body: JSON.stringify({ name: 'lifetime_paid', label: 'Lifetime paid', type: 'string', fieldType: 'text', groupName: 'contactinformation' }),
    });
    expect(defined.status).toBe(201);
    const ok = await runOf(await pay('cust_demo0042', 'defined-prop'));
    expect(ok.status).toBe('COMPLETED');
    const after = (await (await hubspot('/crm/v3/objects/contacts/1042?properties=lifecyclestage,lifetime_paid')).json()) as {
      properties: Record<string, string>;
    };
    expect(after.properties).toMatchObject({ lifecyclestage: 'customer', lifetime_paid: '16.00 USD' });
  });
});

describe.each(BACKENDS)('with the trigger off on %s', { timeout: 120_000 }, (backend) => {
  let stack: Stack;
  beforeAll(async () => {
    ({ stack } = await startTriggerStack(backend, { WORKFLOW_TRIGGERS: 'none' }));
  }, 120_000);
  afterAll(() => stack?.stop());

  it('applies the payment event and starts no run', async () => {
    const res = await stack.run<{ createPayment: { id: string } }>(PAY, {
      input: { customerId: 'cust_demo0036', amount: 500, currency: 'USD', paymentMethod: 'pm_card_visa', idempotencyKey: `off-${backend}` },
    });
    const paymentId = res.data!.createPayment.id;
    await until(
      'the payment mirrored from its event',
      async () => (await stack.connectors.store.payments.byIds('stripe', [paymentId]))[0]?.status === 'succeeded',
    );
    await stack.emulators.stripe.webhooks!.idle();
    await until('every event of the payment processed', async () => {
      const events = (await stack.connectors.store.webhooks.list({ provider: 'stripe' }, 100)).items.filter((i) => i.node.objectId === paymentId);
      return events.length >= 2 && events.every((e) => e.node.status === 'processed');
    });
    const { rows } = await stack.connectors.store.db.query<{ n: string }>(`select count(*)::text as n from workflow_runs where workflow = 'paymentSucceeded'`);
    expect(rows[0]!.n).toBe('0');
  });
});
