// Durable workflows, through createCustomer on the job queue: the journal in the graph, the
// idempotency key, find-before-create in both upstreams, a client that goes away at each step,
// each upstream failing at each step (for a while, for good, past the attempts), and a
// compensation that fails. After each case the emulators hold no customer or contact that no
// store customer links (no orphans), except where the store says so (NEEDS_REPAIR).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { principalFor } from '../helpers/principals.ts';
import { DEMO_ACCESS_TOKEN } from '../../src/connectors/hubspot/index.ts';
import type { WorkflowEngine } from '../../src/workflows/index.ts';
import { UpstreamError } from '../../src/errors/upstream.ts';
import { newCustomerId } from '../../src/workflows/createCustomer.ts';
import { quickPolicyFile } from '../helpers/files.ts';

const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id email linkStatus linkReason crmContact { id email } } }`;
const RUN = `query($id: ID!) { workflowRun(id: $id) { id workflow status subject errorCode steps { name kind status attempts errorCode resultSummary inputDigest startedAt finishedAt } } }`;
const RUNS = `query($f: WorkflowRunFilter) { workflowRuns(filter: $f, first: 5) { totalCount edges { node { id status subject } } } }`;

type Created = { createCustomer: { id: string; email: string; linkStatus: string; linkReason: string | null; crmContact: { id: string } | null } };
type RunView = {
  id: string;
  status: string;
  subject: string;
  errorCode: string | null;
  steps: { name: string; kind: string; status: string; attempts: number; errorCode: string | null; resultSummary: string | null }[];
};

describe.each(BACKENDS)('durable workflows on %s', { timeout: 120_000 }, (backend) => {
  let stack: Stack;
  let engine: WorkflowEngine;
  let n = 0;
  const email = (what: string) => `wf-${what}-${++n}.${backend}@example.com`;

  beforeAll(async () => {
    stack = await startStack(backend, {
      jobs: () => {},
      env: {
        POLICY_FILE: quickPolicyFile(['stripe', 'hubspot']),
        WORKFLOW_WAIT_MS: '2500',
        WORKFLOW_RETRY_DELAY_MS: '200',
        WORKFLOW_RETRY_DELAY_MAX_MS: '500',
        WORKFLOW_MAX_ATTEMPTS: '4',
        WORKFLOW_ATTENTION_RETRY_SECONDS: '1',
        WORKFLOW_LEASE_MS: '3000',
      },
    });
    engine = stack.server.services.workflows!;
  }, 120_000);
  afterAll(() => stack?.stop());

  const fault = (system: 'stripe' | 'hubspot', spec: Record<string, unknown>) =>
    fetch(`${stack.emulators.urls[system]}/__control/faults`, { method: 'POST', body: JSON.stringify(spec) });
  const clearFaults = () => Promise.all([fault('stripe', {}), fault('hubspot', {})]);

  const stripeCustomers = async (address: string) => {
    const res = await fetch(`${stack.emulators.urls.stripe}/v1/customers?email=${encodeURIComponent(address)}`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    return ((await res.json()) as { data: { id: string; metadata: Record<string, string> }[] }).data;
  };
  const contacts = async (address: string) => {
    const res = await fetch(`${stack.emulators.urls.hubspot}/crm/v3/objects/contacts/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO_ACCESS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: address }] }], limit: 10 }),
    });
    return ((await res.json()) as { results: { id: string }[] }).results;
  };
  const runOf = async (customerId: string): Promise<RunView> => {
    const list = await stack.run<{ workflowRuns: { edges: { node: { id: string } }[] } }>(RUNS, { f: { subject: customerId } });
    const id = list.data!.workflowRuns.edges[0]!.node.id;
    return (await stack.run<{ workflowRun: RunView }>(RUN, { id })).data!.workflowRun;
  };
  const runIdOf = async (address: string) => {
    const { rows } = await stack.connectors.store.db.query<{ id: string }>(`select id from workflow_runs where input->>'email' = $1`, [address]);
    return rows[0]!.id;
  };
  const settle = async (address: string, statuses = ['completed', 'compensated']) => {
    const id = await runIdOf(address);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const run = await stack.connectors.store.workflows.get(id);
      if (run && statuses.includes(run.status)) return run;
      if (Date.now() > deadline) throw new Error(`run ${id} is still ${run?.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** Linked exactly once in each system, or not at all: no orphan, no duplicate. */
  const expectNoOrphans = async (address: string) => {
    const customer = await stack.connectors.store.customers.byEmail(address);
    const s = await stripeCustomers(address);
    const c = await contacts(address);
    if (!customer) {
      expect(s, 'stripe').toEqual([]);
      expect(c, 'hubspot').toEqual([]);
      return null;
    }
    expect(customer.linkStatus).toBe('linked');
    expect(s.map((x) => x.id)).toEqual([customer.paymentsCustomerId]);
    expect(c.map((x) => x.id)).toEqual([customer.crmContactId]);
    return customer;
  };

  it('links a customer, journals every step, and answers a retry with the same key with the same customer', async () => {
    const address = email('happy');
    const input = { email: address, name: 'Hap Py', idempotencyKey: `key-${address}` };
    const first = await stack.run<Created>(CREATE, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data!.createCustomer).toMatchObject({ linkStatus: 'LINKED', linkReason: null, crmContact: { email: address } });
    const again = await stack.run<Created>(CREATE, { input });
    expect(again.data!.createCustomer.id).toBe(first.data!.createCustomer.id);
    const other = await stack.run(CREATE, { input: { ...input, name: 'Someone Else' } });
    expect(other.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', field: 'input.idempotencyKey' });
    await expectNoOrphans(address);

    const run = await runOf(first.data!.createCustomer.id);
    expect(run).toMatchObject({ workflow: 'createCustomer', status: 'COMPLETED', subject: first.data!.createCustomer.id, errorCode: null });
    expect(run.steps.map((s) => [s.name, s.kind, s.status, s.attempts])).toEqual([
      ['record', 'ACTION', 'COMPLETED', 1],
      ['payments', 'ACTION', 'COMPLETED', 1],
      ['crm', 'ACTION', 'COMPLETED', 1],
      ['link', 'ACTION', 'COMPLETED', 1],
    ]);
    expect(run.steps[1]!.resultSummary).toMatch(/^payments customer cus_\w+ \(created\)$/);
    expect(run.steps[2]!.resultSummary).toMatch(/^CRM contact \d+ \(created\)$/);
    // The same key from another principal is another key.
    const theirs = await stack.run<Created>(CREATE, { input }, principalFor('operator', { id: 'someone-else' }));
    expect(theirs.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('needs ops:read to read the journal', async () => {
    await stack.run<Created>(CREATE, { input: { email: email('listed') } });
    const res = await stack.run(RUNS, {}, principalFor('app'));
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const ok = await stack.run<{ workflowRuns: { totalCount: number } }>(
      RUNS,
      { f: { workflow: 'createCustomer', status: 'COMPLETED' } },
      principalFor('operator'),
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.workflowRuns.totalCount).toBeGreaterThan(0);
  });

  it('links the Stripe customer and CRM contact that already have the email instead of creating others', async () => {
    const address = email('existing');
    const made = await fetch(`${stack.emulators.urls.stripe}/v1/customers`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_x', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: address }),
    });
    const cus = ((await made.json()) as { id: string }).id;
    const contact = await fetch(`${stack.emulators.urls.hubspot}/crm/v3/objects/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO_ACCESS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { email: address } }),
    });
    const contactId = ((await contact.json()) as { id: string }).id;
    const res = await stack.run<Created>(CREATE, { input: { email: address } });
    expect(res.data!.createCustomer).toMatchObject({ linkStatus: 'LINKED', crmContact: { id: contactId } });
    const customer = await expectNoOrphans(address);
    expect(customer!.paymentsCustomerId).toBe(cus);
    const run = await runOf(res.data!.createCustomer.id);
    expect(run.steps[1]!.resultSummary).toBe(`payments customer ${cus} (found)`);
    expect(run.steps[2]!.resultSummary).toBe(`CRM contact ${contactId} (found)`);
  });

  it('refuses a CRM contact linked to another customer with CONFLICT, undoing the Stripe customer it created', async () => {
    const taken = await stack.run<Created>(CREATE, { input: { email: email('owner') } });
    const contactId = taken.data!.createCustomer.crmContact!.id;
    const address = email('moved');
    // The owner's contact changed its email in the CRM to the new customer's.
    await fetch(`${stack.emulators.urls.hubspot}/crm/v3/objects/contacts/${contactId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${DEMO_ACCESS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { email: address } }),
    });
    const res = await stack.run(CREATE, { input: { email: address } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.email' });
    expect(await stack.connectors.store.customers.byEmail(address)).toBeNull();
    expect(await stripeCustomers(address)).toEqual([]);
    const run = (await stack.connectors.store.workflows.get(await runIdOf(address)))!;
    expect(run.status).toBe('compensated');
    const steps = await stack.connectors.store.workflows.steps(run.id);
    expect(steps.filter((s) => s.kind === 'compensation').map((s) => [s.name, s.status])).toEqual([
      ['record', 'completed'],
      ['payments', 'completed'],
    ]);
  });

  it.each(['payments', 'crm', 'link'])('keeps going when the client goes away at the %s step', async (step) => {
    const address = email(`gone-${step}`);
    const client = new AbortController();
    const off = engine.onStep((e) => e.step === step && e.phase === 'start' && client.abort());
    // Slow upstreams, so the client is gone while the step's calls are in flight.
    await Promise.all([fault('stripe', { latencyMs: 150 }), fault('hubspot', { latencyMs: 150 })]);
    try {
      await stack.run(CREATE, { input: { email: address } }, undefined, client.signal);
      await settle(address);
    } finally {
      off();
      await clearFaults();
    }
    expect(client.signal.aborted).toBe(true);
    await expectNoOrphans(address);
    expect((await stack.connectors.store.customers.byEmail(address))!.linkStatus).toBe('linked');
  });

  it.each([
    ['stripe', 'payments'],
    ['hubspot', 'crm'],
  ] as const)('answers PENDING with the reason while %s is down, and links once it is back', async (system, step) => {
    const address = email(`down-${system}`);
    await fault(system, { status: 503 });
    let res;
    try {
      res = await stack.run<Created>(CREATE, { input: { email: address, idempotencyKey: `k-${address}` } });
    } finally {
      setTimeout(() => void clearFaults(), 500);
    }
    expect(res.errors).toBeUndefined();
    expect(res.data!.createCustomer.linkStatus).toBe('PENDING');
    expect(res.data!.createCustomer.linkReason).toMatch(new RegExp(`^${step}: UPSTREAM_UNAVAILABLE`));
    await settle(address);
    const customer = await expectNoOrphans(address);
    expect(customer!.linkError).toBeNull();
    const steps = await stack.connectors.store.workflows.steps(await runIdOf(address));
    expect(steps.find((s) => s.name === step)!.attempts).toBeGreaterThan(1);
    // The retry with the same key answers the customer as it is now.
    const again = await stack.run<Created>(CREATE, { input: { email: address, idempotencyKey: `k-${address}` } });
    expect(again.data!.createCustomer).toMatchObject({ id: customer!.id, linkStatus: 'LINKED' });
  });

  it.each([
    ['stripe', 'payments', 'UPSTREAM_REJECTED'],
    ['hubspot', 'crm', 'UPSTREAM_REJECTED'],
    ['stripe', 'payments', 'UPSTREAM_AUTH_FAILED'],
    ['hubspot', 'crm', 'UPSTREAM_AUTH_FAILED'],
  ] as const)('undoes everything when %s fails for good at the %s step (%s)', async (system, _step, code) => {
    const address = email(`refused-${system}`);
    await fault(system, { status: code === 'UPSTREAM_REJECTED' ? 400 : 401 });
    let res;
    try {
      res = await stack.run(CREATE, { input: { email: address } });
    } finally {
      await clearFaults();
    }
    expect(res.errors?.[0]?.extensions).toMatchObject({ code, connector: system });
    await settle(address, ['compensated']);
    expect(await expectNoOrphans(address)).toBeNull();
  });

  it('marks the customer NEEDS_REPAIR with an alert when the undo itself fails', async () => {
    const address = email('repair');
    // The CRM refuses the contact; then Stripe refuses to delete the customer made the step before.
    const off = engine.onStep((e) => e.step === 'crm' && e.phase === 'start' && void fault('stripe', { status: 400 }));
    await fault('hubspot', { status: 400 });
    let res;
    try {
      res = await stack.run(CREATE, { input: { email: address } });
      await settle(address, ['needs_attention']);
    } finally {
      off();
      await clearFaults();
    }
    expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_REJECTED');
    const customer = (await stack.connectors.store.customers.byEmail(address))!;
    expect(customer.linkStatus).toBe('needs_repair');
    expect(customer.linkError).toMatch(/could not be undone: payments: UPSTREAM_REJECTED/);
    const [cus] = await stripeCustomers(address);
    // The Stripe customer left behind is the one the row names, for the repair.
    expect(customer.paymentsCustomerId).toBe(cus!.id);
    const run = await runOf(customer.id);
    expect(run.status).toBe('NEEDS_ATTENTION');
    expect(run.steps.map((s) => [s.name, s.kind, s.status])).toEqual([
      ['record', 'ACTION', 'COMPLETED'],
      ['payments', 'ACTION', 'COMPLETED'],
      ['crm', 'ACTION', 'FAILED'],
      ['payments', 'COMPENSATION', 'FAILED'],
    ]);
    const view = await stack.run<{ customer: { linkStatus: string; linkReason: string } }>(`query($id: ID!) { customer(id: $id) { linkStatus linkReason } }`, {
      id: customer.id,
    });
    expect(view.data!.customer).toMatchObject({ linkStatus: 'NEEDS_REPAIR', linkReason: customer.linkError });
    expect(stack.server.ops.alerts.firing().find((a) => a.condition === 'workflow_attention' && a.operation === run.id)).toBeDefined();
  });

  it('needs attention when an upstream stays down past the attempts, and resolves the alert once it links', async () => {
    const address = email('outage');
    await fault('hubspot', { status: 503 });
    let runId = '';
    try {
      const res = await stack.run<Created>(CREATE, { input: { email: address } });
      expect(res.data!.createCustomer.linkStatus).toBe('PENDING');
      runId = (await settle(address, ['needs_attention'])).id;
      expect((await stack.connectors.store.customers.byEmail(address))!.linkError).toMatch(/needs attention$/);
      expect(stack.server.ops.alerts.firing().find((a) => a.condition === 'workflow_attention' && a.operation === runId)).toBeDefined();
    } finally {
      await clearFaults();
    }
    await settle(address);
    await expectNoOrphans(address);
    expect(stack.server.ops.alerts.firing().find((a) => a.operation === runId)).toBeUndefined();
  });

  it("starts a run in the caller's transaction: nothing when it rolls back, once per scope when it commits", async () => {
    const address = email('in-tx');
    const input = () => ({ customerId: newCustomerId(), email: address, name: null });
    const { store } = stack.connectors;
    await expect(
      store.transaction(async (tx) => {
        await engine.startIn(tx, 'createCustomer', input(), { idempotencyScope: `event:${address}` });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await store.customers.byEmail(address)).toBeNull();
    expect((await store.db.query(`select 1 from workflow_runs where input->>'email' = $1`, [address])).rows).toHaveLength(0);
    const id = await store.transaction((tx) => engine.startIn(tx, 'createCustomer', input(), { idempotencyScope: `event:${address}` }));
    expect(id).toMatch(/^wfr_/);
    expect(await store.transaction((tx) => engine.startIn(tx, 'createCustomer', input(), { idempotencyScope: `event:${address}` }))).toBeNull();
    await settle(address);
    await expectNoOrphans(address);
  });

  it('creates one Stripe customer when its answer is lost and the step runs again', async () => {
    const address = email('lost-answer');
    // Stripe makes the customer, then the answer is lost (as when the process dies before it is
    // journaled): the step runs again later, finds the customer it made, and makes no other.
    const payments = stack.connectors.payments;
    const real = payments.createCustomer.bind(payments);
    let lost = 0;
    const spy = vi.spyOn(payments, 'createCustomer').mockImplementation(async (input) => {
      await real(input);
      if (lost++ === 0) throw new UpstreamError({ connector: 'stripe', operation: 'customers.create', kind: 'transient', message: 'socket hang up' });
      return real(input);
    });
    stack.resetCounts();
    try {
      const res = await stack.run<Created>(CREATE, { input: { email: address } });
      expect(res.errors).toBeUndefined();
      await settle(address);
    } finally {
      spy.mockRestore();
    }
    const customer = await expectNoOrphans(address);
    expect((await stripeCustomers(address))[0]!.metadata.switchyard_id).toBe(customer!.id);
    expect(stack.emulators.stripe.stats().byRoute['POST /v1/customers']).toBe(1);
    const steps = await stack.connectors.store.workflows.steps(await runIdOf(address));
    expect(steps.find((st) => st.name === 'payments')).toMatchObject({ status: 'completed', attempts: 2 });
  });
});
