// What the operator console reads and does through the graph (console-contract.md, "Graph
// additions"): a connector's hour in minutes, its policy in force and its last errors; the alerts
// firing; the webhook backlog and redacted payloads; the audit chain verified on demand; API keys
// issued, listed and revoked; and a run that needs attention given up on (compensated).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { principalFor } from '../helpers/principals.ts';
import { jsonFile } from '../helpers/files.ts';
import { FaultController } from '../../src/emulators/faults.ts';

const admin = principalFor('admin');
const operator = principalFor('operator');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const CONNECTORS = `{ connectors {
  name
  series { at calls errors latencyP50Ms latencyP95Ms }
  policy { timeoutMs maxAttempts backoffMs retryBudgetMs breakerConsecutiveFailures breakerHalfOpenAfterMs quotaLimit quotaWindowMs cacheTtlSeconds }
  recentErrors { kind code message at }
} }`;
type Point = { at: string; calls: number; errors: number; latencyP50Ms: number | null; latencyP95Ms: number | null };
type Status = {
  name: string;
  series: Point[];
  policy: Record<string, number | null> | null;
  recentErrors: { kind: string; code: string; message: string; at: string }[];
};

describe.each(BACKENDS)('the console graph on %s', { timeout: 120_000 }, (backend) => {
  let stack: Stack;
  let n = 0;

  beforeAll(async () => {
    // Stripe: one attempt, a breaker that opens after 3 failures and cools down quickly; an odd
    // timeout the policy field must show. HubSpot: quick retries, a breaker that stays closed.
    const policy = jsonFile('policy.json', {
      stripe: { timeoutMs: 4321, maxAttempts: 1, backoffMs: 20, retryBudgetMs: 1_000, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 1_500 } },
      hubspot: { maxAttempts: 2, backoffMs: 20, retryBudgetMs: 1_000, breaker: { consecutiveFailures: 50, halfOpenAfterMs: 200 } },
    });
    stack = await startStack(backend, {
      jobs: () => {},
      env: {
        POLICY_FILE: policy,
        AUDIT_HMAC_KEY: 'k'.repeat(64),
        WORKFLOW_WAIT_MS: '2500',
        WORKFLOW_RETRY_DELAY_MS: '200',
        WORKFLOW_RETRY_DELAY_MAX_MS: '500',
        WORKFLOW_MAX_ATTEMPTS: '2',
        // A run that needs attention stays so while the test looks at it.
        WORKFLOW_ATTENTION_RETRY_SECONDS: '600',
        WORKFLOW_LEASE_MS: '3000',
      },
    });
  }, 120_000);
  afterAll(() => stack?.stop());

  const statusOf = async (name: string, as = operator): Promise<Status> => {
    const res = await stack.run<{ connectors: Status[] }>(CONNECTORS, {}, as);
    expect(res.errors).toBeUndefined();
    return res.data!.connectors.find((c) => c.name === name)!;
  };
  const sum = (s: Status) => s.series.reduce((t, p) => t + p.calls, 0);
  /** A GraphQL request over HTTP with an API key, as a client sends it. */
  const post = async (key: string, query: string) => {
    const res = await stack.server.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      payload: { query },
    });
    return res.json() as { data?: Record<string, unknown> | null; errors?: { extensions?: Record<string, unknown> }[] };
  };
  const auditText = async () => {
    expect(await stack.server.ops.writer.flush()).toBe(0);
    const { rows } = await stack.connectors.store.db.query<{ t: string }>('select record::text as t from audit_events order by seq');
    return rows.map((r) => r.t).join('\n');
  };

  it('series: 60 minutes oldest first, counting the calls made through the pipeline', async () => {
    const minute = () => Math.floor(Date.now() / 60_000) * 60_000;
    const asked = minute();
    const before = await statusOf('stripe');
    expect(before.series).toHaveLength(60);
    const at = before.series.map((p) => Date.parse(p.at));
    expect(at.every((t, i) => i === 0 || t - at[i - 1]! === 60_000)).toBe(true);
    // The current minute (or the next, when one began while the query ran).
    expect([asked, minute()]).toContain(at.at(-1)!);
    for (const id of ['pi_demo000101', 'pi_demo000201', 'pi_demo000301']) {
      const res = await stack.run(`query($id: ID!) { payment(id: $id) { id } }`, { id }, admin);
      expect(res.errors).toBeUndefined();
    }
    const after = await statusOf('stripe');
    expect(sum(after) - sum(before)).toBeGreaterThanOrEqual(3);
    // The calls' minute: the last point, or the one before when a minute began since.
    const last = after.series.at(-1)!.calls ? after.series.at(-1)! : after.series.at(-2)!;
    expect(last.calls).toBeGreaterThan(0);
    expect(last.latencyP50Ms).toBeGreaterThan(0);
    expect(last.latencyP95Ms).toBeGreaterThanOrEqual(last.latencyP50Ms!);
    expect(after.series.filter((p) => p.calls === 0).every((p) => p.latencyP50Ms === null)).toBe(true);
  });

  it('policy: the POLICY_FILE over the defaults', async () => {
    const stripe = await statusOf('stripe');
    expect(stripe.policy).toMatchObject({
      timeoutMs: 4321,
      maxAttempts: 1,
      backoffMs: 20,
      retryBudgetMs: 1_000,
      breakerConsecutiveFailures: 3,
      breakerHalfOpenAfterMs: 1_500,
    });
    expect(stripe.policy!.quotaLimit).toBeGreaterThan(0);
    expect(stripe.policy!.quotaWindowMs).toBeGreaterThan(0);
    const hubspot = await statusOf('hubspot');
    expect(hubspot.policy).toMatchObject({ maxAttempts: 2, breakerConsecutiveFailures: 50 });
    // Not in the file: the module's default stays.
    expect(hubspot.policy!.timeoutMs).not.toBe(4321);
  });

  it('webhookBacklog counts the inbox by status; payloadJson is redacted as the audit trail redacts', async () => {
    const backlog = async () => {
      const res = await stack.run<{ webhookBacklog: { status: string; count: number }[] }>('{ webhookBacklog { status count } }', {}, operator);
      expect(res.errors).toBeUndefined();
      return Object.fromEntries(res.data!.webhookBacklog.map((b) => [b.status, b.count]));
    };
    const before = await backlog();
    expect(Object.keys(before).sort()).toEqual(['DEAD', 'FAILED', 'RECEIVED']);
    const { store } = stack.connectors;
    const type = `console.test.${backend}`;
    const payload = {
      data: { object: { email: 'ada.lovelace@example.com', name: 'Ada Lovelace', note: 'reach me at ada.lovelace@example.com', amount: 4200 } },
    };
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push(
        (await store.webhooks.insert(store.db, { provider: 'openai', eventId: `evt_${randomUUID()}`, type, objectId: null, occurredAt: new Date(), payload }))!,
      );
    await store.webhooks.failed(ids[1]!, 'down for now', false);
    await store.webhooks.failed(ids[2]!, 'down for good', true);
    await store.webhooks.processed(ids[3]!);
    const after = await backlog();
    expect([after.RECEIVED! - before.RECEIVED!, after.FAILED! - before.FAILED!, after.DEAD! - before.DEAD!]).toEqual([1, 1, 1]);

    const res = await stack.run<{ webhookEvents: { edges: { node: { id: string; payloadJson: string } }[] } }>(
      'query($f: WebhookEventFilter) { webhookEvents(filter: $f) { edges { node { id payloadJson } } } }',
      { f: { type } },
      operator,
    );
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.webhookEvents.edges.map((e) => e.node);
    expect(nodes).toHaveLength(4);
    for (const node of nodes) {
      expect(node.payloadJson).not.toContain('ada.lovelace');
      expect(node.payloadJson).not.toContain('Lovelace');
      const shown = JSON.parse(node.payloadJson) as { data: { object: Record<string, unknown> } };
      expect(shown.data.object).toMatchObject({ email: '[redacted]', name: '[redacted]', amount: 4200 });
      expect(shown.data.object.note).toBe('reach me at [redacted]');
    }
    const app = await stack.run(
      'query($f: WebhookEventFilter) { webhookEvents(filter: $f) { edges { node { payloadJson } } } }',
      { f: { type } },
      principalFor('app'),
    );
    expect(app.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('auditChain: ok on the intact chain, then names the record a tamperer changed; needs audit:read', async () => {
    const CHAIN = '{ auditChain { ok verified headSeq macsChecked anchorsChecked brokenSeq brokenReason checkedAt } }';
    await stack.run('query Warm { customers(first: 1) { totalCount } }', {}, admin);
    expect(await stack.server.ops.writer.flush()).toBe(0);
    const good = await stack.run<{ auditChain: Record<string, unknown> }>(CHAIN, {}, admin);
    expect(good.errors).toBeUndefined();
    expect(good.data!.auditChain).toMatchObject({ ok: true, brokenSeq: null, brokenReason: null });
    const verified = good.data!.auditChain.verified as number;
    expect(verified).toBeGreaterThan(2);
    expect(good.data!.auditChain.headSeq).toBe(verified);
    expect(good.data!.auditChain.macsChecked).toBe(verified);

    const refused = await stack.run(CHAIN, {}, operator);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const { db } = stack.connectors.store;
    const original = (await db.query<{ t: string }>('select record::text as t from audit_events where seq = 2')).rows[0]!.t;
    await db.query(`update audit_events set record = jsonb_set(record, '{outcome}', '"error"') where seq = 2`);
    try {
      const bad = await stack.run<{ auditChain: Record<string, unknown> }>(CHAIN, {}, admin);
      expect(bad.errors).toBeUndefined();
      expect(bad.data!.auditChain).toMatchObject({ ok: false, verified: 1, headSeq: 1, brokenSeq: 2 });
      expect(bad.data!.auditChain.brokenReason).toMatch(/altered/);
    } finally {
      // Put back, so the rest of the suite's records chain on an intact trail.
      await db.query('update audit_events set record = $1::jsonb where seq = 2', [original]);
    }
    const again = await stack.run<{ auditChain: { ok: boolean } }>(CHAIN, {}, admin);
    expect(again.data!.auditChain.ok).toBe(true);
  });

  it('API keys: the secret once, never listed; the key works until revoked; keys:admin only; never in the audit', async () => {
    const CREATE = 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id name role scopes kind createdAt revokedAt } } }';
    const name = `console key ${++n}`;
    const created = await stack.run<{
      createApiKey: { secret: string; apiKey: { id: string; role: string; scopes: string[]; kind: string; revokedAt: null } };
    }>(CREATE, { input: { name, role: 'service', scopes: ['ops:read'] } }, admin);
    expect(created.errors).toBeUndefined();
    const { secret, apiKey } = created.data!.createApiKey;
    expect(secret).toMatch(new RegExp(`^syk_${apiKey.id}_[0-9a-f]{64}$`));
    expect(apiKey).toMatchObject({ role: 'service', scopes: ['ops:read'], kind: 'standard', revokedAt: null });

    const list = await stack.run<{ apiKeys: { id: string; name: string }[] }>(
      '{ apiKeys { id name role scopes kind createdAt lastUsedAt revokedAt expiresAt } }',
      {},
      admin,
    );
    expect(list.errors).toBeUndefined();
    expect(list.data!.apiKeys[0]).toMatchObject({ id: apiKey.id, name });
    expect(JSON.stringify(list.data)).not.toContain(secret.slice(22));

    const works = await post(secret, '{ connectors { name } }');
    expect(works.errors).toBeUndefined();
    expect((works.data!.connectors as unknown[]).length).toBeGreaterThan(0);
    const scoped = await post(secret, '{ apiKeys { id } }');
    expect(scoped.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const revoked = await stack.run<{ revokeApiKey: { id: string; revokedAt: string | null } }>(
      'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }',
      { id: apiKey.id },
      admin,
    );
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data!.revokeApiKey.revokedAt).not.toBeNull();
    const refused = await post(secret, '{ connectors { name } }');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });

    expect((await stack.run('{ apiKeys { id } }', {}, operator)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await stack.run(CREATE, { input: { name: 'x', role: 'admin' } }, operator)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const bad = async (input: Record<string, unknown>) => (await stack.run(CREATE, { input }, admin)).errors?.[0];
    expect(await bad({ name: 'x', role: 'root' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.role' } });
    expect((await bad({ name: 'x', role: 'root' }))!.message).toMatch(/role must be one of admin, operator, app, service/);
    expect(await bad({ name: 'x', role: 'service', scopes: ['ops:steal'] })).toMatchObject({
      message: expect.stringMatching(/unknown scope "ops:steal"/),
      extensions: { code: 'BAD_USER_INPUT', field: 'input.scopes' },
    });
    expect(await bad({ name: 'x', role: 'operator', scopes: ['keys:admin'] })).toMatchObject({
      message: expect.stringMatching(/role operator cannot be granted keys:admin/),
      extensions: { code: 'BAD_USER_INPUT', field: 'input.scopes' },
    });
    expect(await bad({ name: 'x', role: 'service' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.scopes' } });
    expect(await bad({ name: ' ', role: 'admin' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.name' } });
    const missing = await stack.run('mutation { revokeApiKey(id: "0123456789abcdef") { id } }', {}, admin);
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });

    const trail = await auditText();
    expect(trail).toContain('createApiKey');
    expect(trail).not.toContain(secret.slice(22));
  });

  it('compensateWorkflowRun undoes a run that needs attention, durably, and refuses what it cannot do', async () => {
    const COMPENSATE = 'mutation($id: ID!) { compensateWorkflowRun(id: $id) { id status } }';
    const address = `console-${++n}.${backend}@example.com`;
    stack.emulators.hubspot.faults.set(FaultController.parse({ status: 503 }));
    let runId: string;
    try {
      const res = await stack.run<{ createCustomer: { linkStatus: string } }>(
        'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id linkStatus } }',
        { input: { email: address } },
        admin,
      );
      expect(res.errors).toBeUndefined();
      const { rows } = await stack.connectors.store.db.query<{ id: string }>(`select id from workflow_runs where input->>'email' = $1`, [address]);
      runId = rows[0]!.id;
      await until('the run to need attention', async () => (await stack.connectors.store.workflows.get(runId))?.status === 'needs_attention');
      expect(stack.server.ops.alerts.firing().find((a) => a.condition === 'workflow_attention' && a.operation === runId)).toBeDefined();

      const forbidden = await stack.run(COMPENSATE, { id: runId }, operator);
      expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const started = await stack.run<{ compensateWorkflowRun: { id: string; status: string } }>(COMPENSATE, { id: runId }, admin);
      expect(started.errors).toBeUndefined();
      expect(['COMPENSATING', 'COMPENSATED']).toContain(started.data!.compensateWorkflowRun.status);
      await until('the run to be compensated', async () => (await stack.connectors.store.workflows.get(runId))?.status === 'compensated');
    } finally {
      stack.emulators.hubspot.faults.clear();
    }
    const run = await stack.run<{ workflowRun: { status: string; steps: { name: string; kind: string; status: string }[] } }>(
      'query($id: ID!) { workflowRun(id: $id) { status steps { name kind status } } }',
      { id: runId },
      admin,
    );
    expect(run.data!.workflowRun.status).toBe('COMPENSATED');
    expect(run.data!.workflowRun.steps.filter((s) => s.kind === 'COMPENSATION').map((s) => [s.name, s.status])).toEqual([
      ['payments', 'COMPLETED'],
      ['record', 'COMPLETED'],
    ]);
    // Undone: no store customer, and the Stripe customer the run created is gone.
    expect(await stack.connectors.store.customers.byEmail(address)).toBeNull();
    const stripe = await fetch(`${stack.emulators.urls.stripe}/v1/customers?email=${encodeURIComponent(address)}`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    expect(((await stripe.json()) as { data: unknown[] }).data).toEqual([]);
    expect(stack.server.ops.alerts.firing().find((a) => a.operation === runId)).toBeUndefined();

    const again = await stack.run(COMPENSATE, { id: runId }, admin);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id' });
    expect(again.errors?.[0]?.message).toMatch(/is compensated: only a run that needs attention/);
    const unknown = await stack.run(COMPENSATE, { id: 'wfr_000000000000000000000000' }, admin);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    const malformed = await stack.run(COMPENSATE, { id: 'run-1' }, admin);
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('alerts and recentErrors: a Stripe outage opens the circuit, which fires until it closes', async () => {
    const ALERTS = '{ alerts { condition connector operation message since } }';
    type Alerts = { alerts: { condition: string; connector: string; operation: string | null; message: string; since: string }[] };
    const started = Date.now();
    stack.emulators.stripe.faults.set(FaultController.parse({ status: 503 }));
    try {
      for (let i = 10; i < 16; i++) await stack.run(`{ payment(id: "pi_demo00${i}01") { id } }`, {}, admin);
    } finally {
      stack.emulators.stripe.faults.clear();
    }
    const firing = await stack.run<Alerts>(ALERTS, {}, operator);
    expect(firing.errors).toBeUndefined();
    const circuit = firing.data!.alerts.find((a) => a.condition === 'circuit' && a.connector === 'stripe');
    expect(circuit).toMatchObject({ operation: null, message: expect.stringMatching(/circuit OPEN for stripe/) });
    expect(Date.parse(circuit!.since)).toBeGreaterThanOrEqual(started - 1_000);
    const since = firing.data!.alerts.map((a) => Date.parse(a.since));
    expect(since).toEqual([...since].sort((a, b) => b - a));

    const stripe = await statusOf('stripe');
    expect(stripe.recentErrors.length).toBeGreaterThanOrEqual(6);
    expect(stripe.recentErrors.length).toBeLessThanOrEqual(20);
    const at = stripe.recentErrors.map((e) => Date.parse(e.at));
    expect(at).toEqual([...at].sort((a, b) => b - a));
    // Newest first: the calls refused by the open circuit, then the 503s that opened it.
    expect(stripe.recentErrors[0]).toMatchObject({ kind: 'circuit_open', code: 'UPSTREAM_UNAVAILABLE' });
    expect(stripe.recentErrors.some((e) => e.kind === 'transient' && e.code === 'UPSTREAM_UNAVAILABLE')).toBe(true);
    expect(stripe.series.at(-1)!.errors + stripe.series.at(-2)!.errors).toBeGreaterThanOrEqual(3);

    // Back up: after the cool-down a trial call closes the circuit, and the alert is no longer listed.
    await until(
      'the circuit to close',
      async () => {
        await stack.run('{ payment(id: "pi_demo001601") { id } }', {}, admin);
        const res = await stack.run<Alerts>(ALERTS, {}, operator);
        return !res.data!.alerts.some((a) => a.condition === 'circuit' && a.connector === 'stripe');
      },
      15_000,
    );
  });
});
