// `runImport` through the graph: the customers the Stripe and HubSpot emulators hold (with both
// emulators' real rate limits on) come into an empty store, linked by email; a record that exists
// in one system only gets its other half from a linkCustomer run; a second import changes
// nothing; an import cut off mid-way resumes at its last committed page.
import { Client } from '@hubspot/api-client';
import Stripe from 'stripe';
import { FaultController } from '../../src/emulators/faults.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { startEmulators, type RunningEmulators } from '../../src/emulators/index.ts';
import { DEMO_ACCESS_TOKEN } from '../../src/connectors/hubspot/index.ts';
import { principalFor } from '../helpers/principals.ts';
import { until } from '../helpers/until.ts';

const RUN_IMPORT = `mutation { runImport { id status } }`;
const IMPORTS = `query { syncRuns(kind: IMPORT, first: 5) { id status progress { phase done total } counts { name value } error } }`;

type Run = {
  id: string;
  status: string;
  progress: { phase: string; done: number; total: number | null };
  counts: { name: string; value: number }[];
  error: string | null;
};

const counts = (r: Run) => Object.fromEntries(r.counts.map((c) => [c.name, c.value]));

async function importToEnd(stack: Stack, id?: string): Promise<Run> {
  const started = await stack.run<{ runImport: { id: string } }>(RUN_IMPORT);
  expect(started.errors).toBeUndefined();
  const runId = id ?? started.data!.runImport.id;
  if (id) expect(started.data!.runImport.id).toBe(id);
  return until(
    'the import to finish',
    async () => {
      const res = await stack.run<{ syncRuns: Run[] }>(IMPORTS);
      const run = res.data!.syncRuns.find((r) => r.id === runId);
      return run && (run.status === 'COMPLETED' || run.status === 'FAILED') ? run : null;
    },
    60_000,
  );
}

describe.each(BACKENDS)('import on %s', { timeout: 180_000 }, (backend) => {
  let emulators: RunningEmulators;
  let stack: Stack;
  let stripe: Stripe;
  let hubspot: Client;

  beforeAll(async () => {
    // The providers' own limits, as in production: Stripe 25 requests a second, HubSpot 190 per ten seconds.
    emulators = await startEmulators();
    stack = await startStack(backend, { emulators, seed: false, jobs: () => {}, env: { WORKFLOW_RETRY_DELAY_MS: '200', WORKFLOW_TRIGGERS: 'none' } });
    const url = new URL(emulators.urls.stripe);
    // Another key than Switchyard's: the test's own calls do not eat into its second.
    stripe = new Stripe('sk_test_import_setup', { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 3 });
    hubspot = new Client({ accessToken: DEMO_ACCESS_TOKEN, basePath: emulators.urls.hubspot, numberOfApiCallRetries: 0 });
    await hubspot.crm.contacts.basicApi.create({ properties: { email: 'crm.only@example.com', firstname: 'Crm', lastname: 'Only' }, associations: [] });
    await stripe.customers.create({ email: 'payments.only@example.com', name: 'Payments Only' });
  });
  afterAll(async () => {
    await stack?.stop();
    await emulators?.stop();
  });

  it('brings every customer of both systems into the store, linked by email, within the rate limits', async () => {
    emulators.stripe.resetStats();
    emulators.hubspot.resetStats();
    const run = await importToEnd(stack);
    expect(run.status).toBe('COMPLETED');
    expect(run.error).toBeNull();
    const c = counts(run);
    expect(c['crm.read']).toBe(201);
    expect(c['payments.read']).toBe(201);
    // The CRM's records come first and make the customers; the payments side links 200 of them and makes one.
    expect(c.created).toBe(202);
    expect(c.linked).toBe(200);
    expect(c['link.completed']).toBe(2);

    const page = await stack.connectors.store.customers.list({ first: 500 });
    expect(page.totalCount).toBe(202);
    expect(page.edges.map((i) => i.node.linkStatus).filter((s) => s !== 'linked')).toEqual([]);
    const seeded = page.edges.find((i) => i.node.email === 'ada.hopper.16@example.com' || i.node.crmContactId === '1001')!.node;
    expect(seeded).toMatchObject({ crmContactId: '1001', paymentsCustomerId: 'cus_demo000001' });

    // One-sided records got their other half, once.
    const crmOnly = page.edges.find((i) => i.node.email === 'crm.only@example.com')!.node;
    const madeInStripe = await stripe.customers.list({ email: 'crm.only@example.com' });
    expect(madeInStripe.data.map((d) => d.id)).toEqual([crmOnly.paymentsCustomerId]);
    const paymentsOnly = page.edges.find((i) => i.node.email === 'payments.only@example.com')!.node;
    const contact = await hubspot.crm.contacts.basicApi.getById(paymentsOnly.crmContactId!, ['email', 'firstname', 'lastname']);
    expect(contact.properties).toMatchObject({ email: 'payments.only@example.com', firstname: 'Payments', lastname: 'Only' });

    // Within the limits: Switchyard's own quota kept it under them (a 429 would have been retried, and shows here).
    expect(emulators.stripe.stats().byStatus['429'] ?? 0).toBe(0);
    expect(emulators.hubspot.stats().byStatus['429'] ?? 0).toBe(0);
  });

  it('a second import finds everything linked and changes nothing', async () => {
    const run = await importToEnd(stack);
    const c = counts(run);
    expect(run.status).toBe('COMPLETED');
    expect(c.created ?? 0).toBe(0);
    expect(c.linked ?? 0).toBe(0);
    expect(c['crm.alreadyLinked']).toBe(202);
    expect(c['payments.alreadyLinked']).toBe(202);
    expect((await stack.connectors.store.customers.list({ first: 1 })).totalCount).toBe(202);
  });

  it('is refused without ops:write', async () => {
    const res = await stack.run(RUN_IMPORT, {}, principalFor('operator'));
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe.each(BACKENDS)('an interrupted import on %s', { timeout: 180_000 }, (backend) => {
  let stack: Stack;
  beforeAll(async () => {
    // No job queue: runs execute in this process, so stopping the service is this process going away.
    stack = await startStack(backend, { seed: false, env: { SYNC_PAGE_SIZE: '20', SYNC_LEASE_MS: '2000', WORKFLOW_TRIGGERS: 'none' } });
  });
  afterAll(() => stack?.stop());

  it('resumes at its last committed page: no page is read twice and none is lost', async () => {
    const sync = stack.server.services.sync!;
    // A slow CRM (100 ms a page), so the cut comes with pages still to read.
    stack.emulators.hubspot.faults.set(FaultController.parse({ latencyMs: 100 }));
    const started = await stack.run<{ runImport: { id: string } }>(RUN_IMPORT);
    const id = started.data!.runImport.id;
    // Cut off once the first pages are committed.
    await until(
      'a committed page',
      async () => {
        const run = await stack.connectors.store.sync.get(id);
        return (run?.counts['crm.read'] ?? 0) >= 60;
      },
      60_000,
    );
    stack.emulators.hubspot.resetStats();
    sync.stop();
    const cut = await until(
      'the run to stop',
      async () => {
        await new Promise((r) => setTimeout(r, 300));
        const run = await stack.connectors.store.sync.get(id);
        return run && run.updatedAt.getTime() < Date.now() - 250 ? run : null;
      },
      60_000,
    );
    expect(cut.status).toBe('RUNNING'.toLowerCase());
    const readBefore = cut.counts['crm.read']!;
    expect(readBefore).toBeLessThan(200);
    const listedBefore = stack.emulators.hubspot.stats().byRoute['GET /crm/v3/objects/contacts'] ?? 0;

    stack.emulators.hubspot.faults.clear();
    // Asked again once its lease has passed: the same run, taken up where it stopped.
    await new Promise((r) => setTimeout(r, 2_100));
    const run = await importToEnd(stack, id);
    expect(run.status).toBe('COMPLETED');
    expect(counts(run)['crm.read']).toBe(200);
    expect(counts(run)['payments.read']).toBe(200);
    expect(counts(run).created).toBe(200);
    // Pages after the cut only (and at most the one in flight when it was cut).
    const listed = stack.emulators.hubspot.stats().byRoute['GET /crm/v3/objects/contacts'] ?? 0;
    expect(listed + listedBefore).toBeLessThanOrEqual(Math.ceil((200 - readBefore) / 20) + 1);
    expect((await stack.connectors.store.customers.list({ first: 1 })).totalCount).toBe(200);
  });
});
