// The createCustomer fault matrix on real `switchyard start` processes: each process is started
// with the test-only WORKFLOW_TEST_CRASH hook at one point of the workflow (after each step, and
// after each upstream step's call but before its result is journaled), so the createCustomer it is
// sent SIGKILLs it there; the next process resumes that run while it is sent the next one. Then a
// client that goes away at the payments and the CRM step, Stripe and HubSpot down at their steps
// (answered PENDING, killed while pending, linked once back) and refusing for good (undone). At
// the end every customer is LINKED, or cleanly gone after a refusal; each linked customer has
// exactly one Stripe customer and one HubSpot contact with its email and nothing else has one (no
// orphan, no duplicate: the run resumed after its Stripe call did not create a second); a retry
// with the same idempotencyKey answers the same customer. Then one reconciliation with fix (the
// most the issue allows) finds nothing to repair: no link, orphan, stray or run left for it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, type Started } from '../helpers/process.ts';
import { dropTestSchema } from '../helpers/postgres.ts';
import { CRASH_BACKENDS } from '../helpers/stack.ts';
import { startEmulators, type RunningEmulators } from '../../src/emulators/index.ts';
import { DEMO_SECRET_KEY } from '../../src/connectors/stripe/index.ts';
import { DEMO_ACCESS_TOKEN } from '../../src/connectors/hubspot/index.ts';
import { DEMO_API_KEY } from '../../src/connectors/openai/index.ts';

const JWT_SECRET = randomBytes(32).toString('hex');
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'switchyard-test';
const CRASH_POINTS = [
  'createCustomer.record:after',
  'createCustomer.payments:before-journal',
  'createCustomer.payments:after',
  'createCustomer.crm:before-journal',
  'createCustomer.crm:after',
  'createCustomer.link:before-journal',
];
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id linkStatus linkReason } }`;

const killed = (p: Started) =>
  new Promise<void>((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    p.child.kill('SIGKILL');
  });

describe.each(CRASH_BACKENDS)('createCustomer fault matrix across crashes on %s', { timeout: 300_000 }, (backend) => {
  const root = mkdtempSync(path.join(tmpdir(), 'sy-workflows-crash-'));
  const schema = `sy_test_${randomBytes(6).toString('hex')}`;
  let emulators: RunningEmulators;
  let env: Record<string, string>;
  let token: string;
  const running: Started[] = [];

  beforeAll(async () => {
    // No seed customers upstream: every record the emulators hold at the end is one this test made.
    emulators = await startEmulators({ customers: 0, options: { hubspot: { rateLimit: false }, stripe: { rateLimit: false } } });
    const policy = path.join(root, 'policy.json');
    // Quick pipeline retries and a breaker that closes soon: the workflow's retries are under test.
    const quick = { maxAttempts: 2, backoffMs: 20, retryBudgetMs: 1_000, breaker: { consecutiveFailures: 50, halfOpenAfterMs: 200 } };
    writeFileSync(policy, JSON.stringify({ stripe: quick, hubspot: quick }));
    env = {
      LOG_LEVEL: 'warn',
      DEMO: 'false',
      STRIPE_SECRET_KEY: DEMO_SECRET_KEY,
      STRIPE_API_BASE: emulators.urls.stripe,
      HUBSPOT_ACCESS_TOKEN: DEMO_ACCESS_TOKEN,
      HUBSPOT_API_BASE: emulators.urls.hubspot,
      OPENAI_API_KEY: DEMO_API_KEY,
      OPENAI_BASE_URL: `${emulators.urls.openai}/v1`,
      JWT_SECRET,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      POLICY_FILE: policy,
      DATA_DIR: path.join(root, 'data'),
      JOBS_SCHEMA: `${schema}_jobs`,
      JOBS_POLL_INTERVAL_MS: '500',
      WORKFLOW_WAIT_MS: '2000',
      WORKFLOW_RETRY_DELAY_MS: '200',
      WORKFLOW_RETRY_DELAY_MAX_MS: '1000',
      // A killed process's runs are taken over a couple of seconds after its last heartbeat.
      WORKFLOW_LEASE_MS: '2000',
    };
    if (backend === 'postgres') {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`create schema ${schema}`);
      await client.end();
      const db = new URL(process.env.DATABASE_URL!);
      db.searchParams.set('options', `-c search_path=${schema}`);
      env.DATABASE_URL = db.toString();
    }
    token = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('fault-matrix')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JWT_SECRET));
  }, 240_000);

  afterAll(async () => {
    for (const p of running) await killed(p);
    await emulators?.stop();
    rmSync(root, { recursive: true, force: true });
    if (backend === 'postgres') {
      await dropTestSchema(schema);
      await dropTestSchema(`${schema}_jobs`);
    }
  });

  const starts: number[] = [];
  const start = async (extra: Record<string, string> = {}) => {
    const t = Date.now();
    const p = await startProcess({ ...env, ...extra }, { startMs: 240_000 });
    starts.push(Date.now() - t);
    running.push(p);
    return p;
  };
  const graphql = async <T>(p: Started, query: string, variables: Record<string, unknown>, signal?: AbortSignal) => {
    const res = await fetch(p.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: signal ?? AbortSignal.timeout(30_000),
    });
    return (await res.json()) as { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  };
  const fault = (system: 'stripe' | 'hubspot', spec: Record<string, unknown>) =>
    fetch(`${emulators.urls[system]}/__control/faults`, { method: 'POST', body: JSON.stringify(spec) });
  const stripeCustomers = async () => {
    const out: { id: string; email: string | null }[] = [];
    let after: string | undefined;
    for (;;) {
      const res = await fetch(`${emulators.urls.stripe}/v1/customers?limit=100${after ? `&starting_after=${after}` : ''}`, {
        headers: { authorization: `Bearer ${DEMO_SECRET_KEY}` },
      });
      const page = (await res.json()) as { data: { id: string; email: string | null }[]; has_more: boolean };
      out.push(...page.data);
      if (!page.has_more) return out;
      after = page.data.at(-1)!.id;
    }
  };
  const hubspotContacts = async () => {
    const out: { id: string; properties: { email?: string | null } }[] = [];
    let after: string | undefined;
    for (;;) {
      const res = await fetch(`${emulators.urls.hubspot}/crm/v3/objects/contacts?limit=100&properties=email${after ? `&after=${after}` : ''}`, {
        headers: { authorization: `Bearer ${DEMO_ACCESS_TOKEN}` },
      });
      const page = (await res.json()) as { results: typeof out; paging?: { next?: { after: string } } };
      out.push(...page.results);
      after = page.paging?.next?.after;
      if (!after) return out;
    }
  };
  const mail = (what: string) => `matrix-${what.toLowerCase()}.${backend}@example.com`;

  it('leaves every customer linked once (or cleanly undone) and no orphan upstream, whatever was killed or failing', async () => {
    const t0 = Date.now();
    const linked: string[] = [];
    // What each was sent with: a retry must be the same request to be answered by the same run.
    const inputs = new Map<string, Record<string, unknown>>();
    const input = (address: string, extra: Record<string, unknown> = {}) => {
      const i = { email: address, idempotencyKey: `key-${address}`, ...extra };
      inputs.set(address, i);
      return i;
    };
    // SIGKILL at each point: the request dies with its process; the next process resumes the run.
    let proc: Started | undefined;
    for (const point of CRASH_POINTS) {
      proc = await start({ WORKFLOW_TEST_CRASH: point });
      const address = mail(point.replace(/[^a-z]+/gi, '-'));
      const answer = await graphql(proc, CREATE, { input: input(address, { name: 'Kay Killed' }) }).then(
        () => 'answered',
        () => 'connection lost',
      );
      expect(answer, point).toBe('connection lost');
      await new Promise<void>((resolve) =>
        proc!.child.exitCode !== null || proc!.child.signalCode !== null ? resolve() : proc!.child.once('exit', () => resolve()),
      );
      expect(proc.child.signalCode, point).toBe('SIGKILL');
      linked.push(address);
    }
    proc = await start();
    const crashedMs = Date.now() - t0;

    // A client that goes away while the payments step, then the CRM step, is in flight.
    for (const [system, what] of [
      ['stripe', 'gone-at-payments'],
      ['hubspot', 'gone-at-crm'],
    ] as const) {
      // Every call to it slow (runs resumed from the crashes may be calling it too), until the client is gone.
      await fault(system, { latencyMs: 1_500 });
      const address = mail(what);
      await expect(graphql(proc, CREATE, { input: input(address) }, AbortSignal.timeout(800))).rejects.toThrow();
      await fault(system, {});
      linked.push(address);
    }

    // An upstream down at its step: PENDING with the reason; one of them is killed while pending.
    for (const [system, step] of [
      ['stripe', 'payments'],
      ['hubspot', 'crm'],
    ] as const) {
      await fault(system, { status: 503 });
      const address = mail(`down-${system}`);
      const res = await graphql<{ createCustomer: { linkStatus: string; linkReason: string } }>(proc, CREATE, { input: input(address) });
      expect(res.data?.createCustomer.linkStatus, system).toBe('PENDING');
      expect(res.data?.createCustomer.linkReason).toMatch(new RegExp(`^${step}: UPSTREAM_UNAVAILABLE`));
      if (system === 'stripe') {
        await killed(proc);
        proc = await start();
      }
      await fault(system, {});
      linked.push(address);
    }

    const faultsMs = Date.now() - t0 - crashedMs;
    // Every run settles: retries with the same key answer the same customer, LINKED.
    const ids = new Map<string, string>();
    const deadline = Date.now() + 60_000;
    for (const address of linked) {
      for (;;) {
        const res = await graphql<{ createCustomer: { id: string; linkStatus: string; linkReason: string | null } }>(proc, CREATE, {
          input: inputs.get(address),
        });
        const c = res.data?.createCustomer;
        if (c?.linkStatus === 'LINKED') {
          ids.set(address, c.id);
          break;
        }
        if (Date.now() > deadline) throw new Error(`${address} is not linked: ${JSON.stringify(res)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    // Killed before its result was journaled: the step ran again (and, by the counts below, acted
    // once); killed after: the journaled step never ran again.
    for (const [i, point] of CRASH_POINTS.entries()) {
      const [step, when] = point.replace('createCustomer.', '').split(':') as [string, string];
      const res = await graphql<{ workflowRuns: { edges: { node: { steps: { name: string; kind: string; attempts: number }[] } }[] } }>(
        proc,
        `
          query ($s: String) {
            workflowRuns(first: 1, filter: { subject: $s }) {
              edges {
                node {
                  steps {
                    name
                    kind
                    attempts
                  }
                }
              }
            }
          }
        `,
        { s: ids.get(linked[i]!) },
      );
      const attempts = res.data!.workflowRuns.edges[0]!.node.steps.find((x) => x.name === step && x.kind === 'ACTION')!.attempts;
      if (when === 'after') expect(attempts, point).toBe(1);
      else expect(attempts, point).toBeGreaterThanOrEqual(2);
    }

    // Refused for good at its step: the answer is the upstream's refusal and nothing is left behind.
    const refused: string[] = [];
    for (const system of ['stripe', 'hubspot'] as const) {
      const address = mail(`refused-${system}`);
      await fault(system, { status: 400 });
      const res = await graphql(proc, CREATE, { input: input(address) });
      await fault(system, {});
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', connector: system });
      refused.push(address);
    }

    // A second retry answers the same customer again; the same key with another input is refused.
    for (const address of linked) {
      const again = await graphql<{ createCustomer: { id: string } }>(proc, CREATE, { input: inputs.get(address) });
      expect(again.data?.createCustomer.id, address).toBe(ids.get(address));
    }
    const other = await graphql(proc, CREATE, { input: { ...inputs.get(linked[0]!), name: 'Someone Else' } });
    expect(other.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_CONFLICT');
    const runs = await graphql<{ workflowRuns: { totalCount: number; edges: { node: { status: string; subject: string } }[] } }>(
      proc,
      `
        query {
          workflowRuns(first: 100, filter: { workflow: "createCustomer" }) {
            totalCount
            edges {
              node {
                status
                subject
              }
            }
          }
        }
      `,
      {},
    );
    // One run per key: the retries replayed theirs.
    expect(runs.data!.workflowRuns.totalCount).toBe(linked.length + refused.length);
    expect(runs.data!.workflowRuns.edges.filter((e) => e.node.status === 'COMPLETED')).toHaveLength(linked.length);
    expect(runs.data!.workflowRuns.edges.filter((e) => e.node.status === 'COMPENSATED')).toHaveLength(refused.length);

    // Upstream: exactly one Stripe customer and one contact per linked email, none for the refused.
    const customers = await graphql<{ customers: { edges: { node: { id: string; email: string; linkStatus: string } }[] } }>(
      proc,
      `
        query {
          customers(first: 100, search: "matrix-") {
            edges {
              node {
                id
                email
                linkStatus
              }
            }
          }
        }
      `,
      {},
    );
    const rows = customers.data!.customers.edges.map((e) => e.node);
    expect(rows.map((r) => r.email).sort()).toEqual([...linked].sort());
    expect(rows.every((r) => r.linkStatus === 'LINKED')).toBe(true);
    const stripe = (await stripeCustomers()).filter((c) => c.email?.startsWith('matrix-'));
    const contacts = (await hubspotContacts()).filter((c) => c.properties.email?.startsWith('matrix-'));
    expect(stripe.map((c) => c.email).sort()).toEqual([...linked].sort());
    expect(contacts.map((c) => c.properties.email).sort()).toEqual([...linked].sort());

    // At most one reconciliation, with fix: it has nothing to repair (and the emulators' counts
    // above already showed no orphan in either system).
    const started = await graphql<{ runReconciliation: { id: string } }>(
      proc,
      `
        mutation {
          runReconciliation(fix: true) {
            id
          }
        }
      `,
      {},
    );
    expect(started.errors).toBeUndefined();
    type Report = {
      status: string;
      error: string | null;
      counts: { name: string; value: number }[];
      driftCounts: { kind: string; count: number; unrepaired: number }[];
    };
    let report: Report | undefined;
    const until = Date.now() + 60_000;
    for (;;) {
      const res = await graphql<{ reconciliation: Report }>(
        proc,
        `
          query ($id: ID) {
            reconciliation(id: $id) {
              status
              error
              counts {
                name
                value
              }
              driftCounts {
                kind
                count
                unrepaired
              }
            }
          }
        `,
        { id: started.data!.runReconciliation.id },
      );
      report = res.data?.reconciliation;
      if (report?.status === 'COMPLETED' || report?.status === 'FAILED') break;
      if (Date.now() > until) throw new Error(`the reconciliation did not finish: ${JSON.stringify(res)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(report).toMatchObject({ status: 'COMPLETED', error: null, driftCounts: [] });
    // It did look: every record in both systems and the store was read.
    const read = Object.fromEntries(report!.counts.map((c) => [c.name, c.value]));
    expect(read).toMatchObject({ 'crm.read': linked.length, 'paymentsCustomers.read': linked.length, 'store.read': linked.length });
    console.info(
      `[workflows-crash ${backend}] ${CRASH_POINTS.length} SIGKILLs at each step, 2 disconnects, 2 outages (one killed while pending), 2 refusals: ${linked.length} customers linked once each, ${refused.length} undone, no orphan, zero drift on reconciliation, in ${Date.now() - t0} ms (crashes ${crashedMs} ms, faults ${faultsMs} ms; process starts ${starts.join(', ')} ms)`,
    );
    expect(await proc.stop()).toBe(0);
  });
});
