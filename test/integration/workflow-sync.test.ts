// The CRM and payments triggers, through the public entry points: contacts made and changed with
// @hubspot/api-client against the HubSpot emulator, customers changed with the stripe SDK against
// the Stripe emulator; both emulators send their signed webhooks to this server over HTTP, the
// events are applied on the queue and start crmContactCreated / customerFieldSync in the same
// commit. Visible through the graph (customers, workflowRuns) and read back with the SDKs.
import { Client } from '@hubspot/api-client';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startStack } from '../helpers/stack.ts';
import { principalFor } from '../helpers/principals.ts';
import { DEMO_ACCESS_TOKEN } from '../../src/connectors/hubspot/index.ts';
import { DEMO_SECRET_KEY } from '../../src/connectors/stripe/index.ts';
import { until } from '../helpers/until.ts';
import { quickPolicyFile } from '../helpers/files.ts';

const STRIPE_SECRET = 'whsec_test_sync_0123456789abcdef';
const HUBSPOT_SECRET = 'hubspot-sync-client-secret';
const RUNS = `query($f: WorkflowRunFilter) { workflowRuns(filter: $f, first: 100) { totalCount edges { node { id workflow status subject errorCode errorMessage steps { name status attempts errorCode errorMessage resultSummary } } } } }`;
const CUSTOMERS = `query($s: String) { customers(first: 5, search: $s) { edges { node { id email name linkStatus linkReason crmContact { id } } } } }`;
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id email linkStatus } }`;

type Run = {
  id: string;
  workflow: string;
  status: string;
  subject: string;
  errorCode: string | null;
  errorMessage: string | null;
  steps: { name: string; status: string; attempts: number; errorCode: string | null; errorMessage: string | null; resultSummary: string | null }[];
};
type GraphCustomer = { id: string; email: string; name: string | null; linkStatus: string; linkReason: string | null; crmContact: { id: string } | null };

async function startSyncStack(backend: Parameters<typeof startStack>[0], env: Record<string, string> = {}) {
  const stack = await startStack(backend, {
    jobs: () => {},
    env: {
      STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
      HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
      POLICY_FILE: quickPolicyFile(['hubspot', 'stripe']),
      WEBHOOK_RETRY_DELAY_SECONDS: '0',
      WORKFLOW_RETRY_DELAY_MS: '200',
      WORKFLOW_RETRY_DELAY_MAX_MS: '400',
      WORKFLOW_LEASE_MS: '3000',
      ...env,
    },
  });
  const base = await stack.server.app.listen({ host: '127.0.0.1', port: 0 });
  stack.emulators.stripe.webhooks!.register(`${base}/webhooks/stripe`, STRIPE_SECRET);
  stack.emulators.hubspot.webhooks!.register(`${base}/webhooks/hubspot`, HUBSPOT_SECRET);
  const url = new URL(stack.emulators.urls.stripe);
  const stripe = new Stripe(DEMO_SECRET_KEY, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
  const hubspot = new Client({ accessToken: DEMO_ACCESS_TOKEN, basePath: stack.emulators.urls.hubspot, numberOfApiCallRetries: 0 });

  const runs = async (filter: Record<string, unknown>) => {
    const res = await stack.run<{ workflowRuns: { edges: { node: Run }[] } }>(RUNS, { f: filter }, principalFor('operator'));
    expect(res.errors).toBeUndefined();
    return res.data!.workflowRuns.edges.map((e) => e.node);
  };
  const customer = async (email: string) => {
    const res = await stack.run<{ customers: { edges: { node: GraphCustomer }[] } }>(CUSTOMERS, { s: email });
    expect(res.errors).toBeUndefined();
    return res.data!.customers.edges.map((e) => e.node).find((c) => c.email.toLowerCase() === email.toLowerCase());
  };
  /** Every delivery sent and applied, and every run finished, twice in a row a moment apart. */
  const quiet = async () => {
    let calm = 0;
    await until(
      'the systems quiet',
      async () => {
        await Promise.all([stack.emulators.stripe.webhooks!.idle(), stack.emulators.hubspot.webhooks!.idle()]);
        const backlog = await stack.connectors.store.webhooks.backlog();
        const busy = Object.entries(backlog).some(([status, n]) => status !== 'processed' && status !== 'dead' && n > 0);
        const { rows } = await stack.connectors.store.db.query<{ n: number }>(
          `select count(*)::int as n from workflow_runs where status not in ('completed', 'compensated', 'needs_attention')`,
        );
        calm = busy || rows[0]!.n > 0 ? 0 : calm + 1;
        if (calm < 3) await new Promise((r) => setTimeout(r, 150));
        return calm >= 3;
      },
      60_000,
    );
  };
  const crmName = async (contactId: string) => {
    const c = await hubspot.crm.contacts.basicApi.getById(contactId, ['email', 'firstname', 'lastname']);
    return { email: c.properties.email ?? null, name: [c.properties.firstname, c.properties.lastname].filter(Boolean).join(' ') || null };
  };
  return { stack, stripe, hubspot, runs, customer, quiet, crmName };
}

describe.each(BACKENDS)('CRM and payments sync triggers on %s', { timeout: 180_000 }, (backend) => {
  let s: Awaited<ReturnType<typeof startSyncStack>>;
  beforeAll(async () => {
    s = await startSyncStack(backend);
  }, 120_000);
  afterAll(() => s?.stack.stop());

  const linkedCustomer = (email: string) =>
    until(`a LINKED store customer for ${email}`, async () => {
      const c = await s.customer(email);
      return c?.linkStatus === 'LINKED' ? c : undefined;
    });

  it('makes a LINKED store customer, with a new payments customer, for a contact created in the CRM', async () => {
    const email = `walk-in-${backend}@example.com`;
    const contact = await s.hubspot.crm.contacts.basicApi.create({ properties: { email, firstname: 'Walk', lastname: 'In Person' }, associations: [] });
    const c = await linkedCustomer(email);
    expect(c).toMatchObject({ name: 'Walk In Person', crmContact: { id: contact.id }, linkReason: null });
    const [run] = await s.runs({ workflow: 'crmContactCreated', subject: c.id });
    expect(run).toMatchObject({ status: 'COMPLETED' });
    expect(run!.steps.map((x) => [x.name, x.status])).toEqual([
      ['record', 'COMPLETED'],
      ['payments', 'COMPLETED'],
      ['link', 'COMPLETED'],
    ]);
    const made = await s.stripe.customers.list({ email });
    expect(made.data).toHaveLength(1);
    expect(made.data[0]).toMatchObject({ name: 'Walk In Person', metadata: { switchyard_id: c.id } });
    expect(run!.steps[1]!.resultSummary).toBe(`payments customer ${made.data[0]!.id} (created)`);
    expect((await s.stack.connectors.store.customers.byEmail(email))!.paymentsCustomerId).toBe(made.data[0]!.id);
    // Its later events (the payments customer's creation, the contact's own) start nothing more.
    await s.quiet();
    expect(await s.runs({ workflow: 'crmContactCreated', subject: c.id })).toHaveLength(1);
    expect(await s.runs({ workflow: 'customerFieldSync', subject: c.id })).toHaveLength(0);
  });

  it("links the existing payments customer with the contact's email", async () => {
    const email = `known-payer-${backend}@example.com`;
    const existing = await s.stripe.customers.create({ email, name: 'Known Payer' });
    await s.quiet();
    await s.hubspot.crm.contacts.basicApi.create({ properties: { email, firstname: 'Known', lastname: 'Payer' }, associations: [] });
    const c = await linkedCustomer(email);
    expect((await s.stack.connectors.store.customers.byEmail(email))!.paymentsCustomerId).toBe(existing.id);
    expect((await s.stripe.customers.list({ email })).data).toHaveLength(1);
    const [run] = await s.runs({ workflow: 'crmContactCreated', subject: c.id });
    expect(run!.steps[1]!.resultSummary).toBe(`payments customer ${existing.id} (found)`);
  });

  it('starts nothing for a contact without an email, nor for the contact createCustomer makes', async () => {
    const before = (await s.runs({ workflow: 'crmContactCreated' })).length;
    await s.hubspot.crm.contacts.basicApi.create({ properties: { firstname: 'No', lastname: 'Email' }, associations: [] });
    const email = `through-graph-${backend}@example.com`;
    const res = await s.stack.run<{ createCustomer: { id: string; linkStatus: string } }>(CREATE, { input: { email, name: 'Graph Made' } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createCustomer.linkStatus).toBe('LINKED');
    await s.quiet();
    // The contact's creation event was applied (and found the customer by its email)...
    const contactEvents = (await s.stack.connectors.store.webhooks.list({ provider: 'hubspot' }, 500)).items.filter((i) => i.node.type === 'contact.creation');
    expect(contactEvents.every((e) => e.node.status === 'processed')).toBe(true);
    // ...and started no run: one store customer, one payments customer for the email.
    expect(await s.runs({ workflow: 'crmContactCreated' })).toHaveLength(before);
    expect(await s.runs({ workflow: 'customerFieldSync', subject: res.data!.createCustomer.id })).toHaveLength(0);
    expect((await s.stripe.customers.list({ email })).data).toHaveLength(1);
  });

  it('gives one store customer and one payments customer when a contact and createCustomer race for an email', async () => {
    const email = `racer-${backend}@example.com`;
    const [graph] = await Promise.all([
      s.stack.run<{ createCustomer: { id: string; linkStatus: string } }>(CREATE, { input: { email, name: 'Race Graph' } }),
      s.hubspot.crm.contacts.basicApi.create({ properties: { email, firstname: 'Race', lastname: 'Contact' }, associations: [] }).catch(() => null),
    ]);
    await s.quiet();
    const { rows } = await s.stack.connectors.store.db.query<{ n: number }>(`select count(*)::int as n from customers where lower(email) = $1`, [email]);
    expect(rows[0]!.n).toBe(1);
    expect((await s.stripe.customers.list({ email })).data).toHaveLength(1);
    // Whoever won, the customer ends linked, and no run needs a person.
    const c = await linkedCustomer(email);
    if (graph.errors) expect(graph.errors[0]!.extensions!.code).toBe('CONFLICT');
    const mine = (await s.runs({ workflow: 'crmContactCreated' })).filter((r) => r.subject === c.id || r.status !== 'COMPLETED');
    expect(mine.every((r) => r.status === 'COMPLETED')).toBe(true);
  });

  it("links a contact event's contact to a customer of its email awaiting repair, and leaves one a run is linking to that run", async () => {
    const { customers } = s.stack.connectors.store;
    await customers.updateLinks('cust_demo0020', { crmContactId: null, linkStatus: 'needs_repair', linkError: 'its CRM contact was lost' });
    await customers.updateLinks('cust_demo0021', { crmContactId: null, linkStatus: 'pending', linkError: 'a run is linking it' });
    await s.hubspot.crm.contacts.basicApi.update('1020', { properties: { jobtitle: 'Repaired' } });
    await s.hubspot.crm.contacts.basicApi.update('1021', { properties: { jobtitle: 'Left alone' } });
    await until('the repaired customer LINKED', async () => (await customers.byIds(['cust_demo0020']))[0]!.linkStatus === 'linked');
    await s.quiet();
    expect((await customers.byIds(['cust_demo0020']))[0]).toMatchObject({ crmContactId: '1020', linkStatus: 'linked', linkError: null });
    expect((await customers.byIds(['cust_demo0021']))[0]).toMatchObject({ crmContactId: null, linkStatus: 'pending', linkError: 'a run is linking it' });
  });

  // Demo customer n: store cust_demo00nn, payments customer cus_demo0000nn, CRM contact 10nn.
  it('carries an email change made in the CRM to the store and the payments customer', async () => {
    const email = `renamed-10-${backend}@example.com`;
    await s.hubspot.crm.contacts.basicApi.update('1010', { properties: { email } });
    await until('the store email', async () => (await s.stack.connectors.store.customers.byIds(['cust_demo0010']))[0]!.email === email);
    await until('the payments email', async () => ((await s.stripe.customers.retrieve('cus_demo000010')) as Stripe.Customer).email === email);
    await s.quiet();
    const runs = await s.runs({ workflow: 'customerFieldSync', subject: 'cust_demo0010' });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('COMPLETED');
    expect(runs[0]!.steps.map((x) => [x.name, x.resultSummary])).toEqual([
      ['store', `wrote email -> ${email}`],
      ['crm', 'crm owns every synced field'],
      ['payments', `wrote email -> ${email}`],
    ]);
    expect((await s.customer(email))!.linkStatus).toBe('LINKED');
  });

  it('puts back a CRM-owned name changed in the payments provider', async () => {
    const before = await s.crmName('1011');
    await s.stripe.customers.update('cus_demo000011', { name: 'Someone Else' });
    await until('the name put back', async () => ((await s.stripe.customers.retrieve('cus_demo000011')) as Stripe.Customer).name === before.name);
    await s.quiet();
    expect(await s.crmName('1011')).toEqual(before);
    expect((await s.stack.connectors.store.customers.byIds(['cust_demo0011']))[0]!.name).toBe(before.name);
    const runs = await s.runs({ workflow: 'customerFieldSync', subject: 'cust_demo0011' });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.steps.find((x) => x.name === 'payments')!.resultSummary).toBe(`wrote name -> ${before.name}`);
  });

  it('settles a burst of alternating changes with the systems agreeing and a bounded number of runs, then starts nothing', async () => {
    const contact = '1014';
    const changes = 8;
    for (let i = 0; i < changes; i++) {
      if (i % 2 === 0) await s.hubspot.crm.contacts.basicApi.update(contact, { properties: { firstname: `Burst${i}`, lastname: 'Crm' } });
      else await s.stripe.customers.update('cus_demo000014', { name: `Burst${i} Stripe` });
      await new Promise((r) => setTimeout(r, 40));
    }
    await s.quiet();
    const last = `Burst${changes - 2} Crm`;
    expect((await s.crmName(contact)).name).toBe(last);
    expect(((await s.stripe.customers.retrieve('cus_demo000014')) as Stripe.Customer).name).toBe(last);
    expect((await s.stack.connectors.store.customers.byIds(['cust_demo0014']))[0]!.name).toBe(last);
    const runs = await s.runs({ workflow: 'customerFieldSync', subject: 'cust_demo0014' });
    // At most one run per change made from outside; the echoes of the sync's own writes start none.
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.length).toBeLessThanOrEqual(changes);
    expect(runs.every((r) => r.status === 'COMPLETED')).toBe(true);
    const delivered = { stripe: s.stack.emulators.stripe.webhooks!.stats().delivered, hubspot: s.stack.emulators.hubspot.webhooks!.stats().delivered };
    await new Promise((r) => setTimeout(r, 1_500));
    await s.quiet();
    expect(await s.runs({ workflow: 'customerFieldSync', subject: 'cust_demo0014' })).toHaveLength(runs.length);
    expect(s.stack.emulators.stripe.webhooks!.stats().delivered).toBe(delivered.stripe);
    expect(s.stack.emulators.hubspot.webhooks!.stats().delivered).toBe(delivered.hubspot);
    console.info(`[sync burst ${backend}] ${changes} outside changes -> ${runs.length} runs`);
  });

  it('starts one run for a change whose events come twice and out of order', async () => {
    const hooks = s.stack.emulators.hubspot.webhooks!;
    await s.quiet();
    const sent = hooks.stats().delivered;
    hooks.setFaults({ duplicateRate: 1, reorderWindow: 3 });
    const email = `dup-16-${backend}@example.com`;
    try {
      // Three property events (email, first and last name) for one change, each delivered twice, shuffled.
      await s.hubspot.crm.contacts.basicApi.update('1016', { properties: { email, firstname: 'Dup', lastname: 'Licate' } });
      await s.quiet();
    } finally {
      hooks.clearFaults();
    }
    const events = (await s.stack.connectors.store.webhooks.list({ provider: 'hubspot' }, 500)).items.filter(
      (i) => i.node.objectId === '1016' && i.node.type === 'contact.propertyChange',
    );
    expect(events).toHaveLength(3);
    expect(hooks.stats().delivered - sent).toBe(2 * events.length);
    const runs = await s.runs({ workflow: 'customerFieldSync', subject: 'cust_demo0016' });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('COMPLETED');
    expect(await s.stack.connectors.store.customers.byIds(['cust_demo0016'])).toMatchObject([{ email, name: 'Dup Licate' }]);
    expect((await s.stripe.customers.retrieve('cus_demo000016')) as Stripe.Customer).toMatchObject({ email, name: 'Dup Licate' });
  });

  it("needs attention, with the reason, when the new email is another store customer's", async () => {
    // Customer 21 loses its contact (its email stays in the store); contact 1020 then takes that email.
    const [taken] = await s.stack.connectors.store.customers.byIds(['cust_demo0021']);
    await s.hubspot.crm.contacts.basicApi.archive('1021');
    await s.quiet();
    await s.hubspot.crm.contacts.basicApi.update('1020', { properties: { email: taken!.email } });
    const run = await until('the run needing attention', async () =>
      (await s.runs({ workflow: 'customerFieldSync', subject: 'cust_demo0020' })).find((r) => r.status === 'NEEDS_ATTENTION'),
    );
    expect(run.errorCode).toBe('CONFLICT');
    // Not retried now, nor undone; still tried now and then (WORKFLOW_ATTENTION_RETRY_SECONDS), so it completes once the email is free.
    const step = run.steps.find((x) => x.name === 'store')!;
    expect(step).toMatchObject({ status: 'RETRYING', attempts: 1, errorCode: 'CONFLICT' });
    expect(step.errorMessage).toContain(`is another store customer's (cust_demo0021)`);
    expect(run.steps.map((x) => x.name)).toEqual(['store']);
    const [c] = await s.stack.connectors.store.customers.byIds(['cust_demo0020']);
    expect(c!.email).not.toBe(taken!.email);
    // Nothing spread further: the payments customer keeps its own email.
    expect(((await s.stripe.customers.retrieve('cus_demo000020')) as Stripe.Customer).email).toBe(c!.email);
    expect(run.errorMessage).toBe('A customer with this email already exists');
  });
});

describe.each(BACKENDS)('with both fields owned by the payments provider on %s', { timeout: 180_000 }, (backend) => {
  let s: Awaited<ReturnType<typeof startSyncStack>>;
  beforeAll(async () => {
    s = await startSyncStack(backend, { SYNC_FIELD_OWNERS: 'email=payments,name=payments' });
  }, 120_000);
  afterAll(() => s?.stack.stop());

  it('carries a payments change to the CRM and the store, and puts back a CRM change', async () => {
    const email = `payer-owned-12-${backend}@example.com`;
    await s.stripe.customers.update('cus_demo000012', { email, name: 'Paula Payments' });
    await until('the CRM follows', async () => (await s.crmName('1012')).email === email && (await s.crmName('1012')).name === 'Paula Payments');
    await s.quiet();
    expect(await s.stack.connectors.store.customers.byIds(['cust_demo0012'])).toMatchObject([{ email, name: 'Paula Payments' }]);
    const [run] = await s.runs({ workflow: 'customerFieldSync', subject: 'cust_demo0012' });
    expect(run!.steps.map((x) => [x.name, x.resultSummary])).toEqual([
      ['store', `wrote email -> ${email}, name -> Paula Payments`],
      ['crm', `wrote email -> ${email}, name -> Paula Payments`],
      ['payments', 'payments owns every synced field'],
    ]);

    await s.hubspot.crm.contacts.basicApi.update('1012', { properties: { firstname: 'Not', lastname: 'Owner' } });
    await until('the CRM name put back', async () => (await s.crmName('1012')).name === 'Paula Payments');
    await s.quiet();
    expect(((await s.stripe.customers.retrieve('cus_demo000012')) as Stripe.Customer).name).toBe('Paula Payments');
    expect(await s.runs({ workflow: 'customerFieldSync', subject: 'cust_demo0012' })).toHaveLength(2);
  });
});
