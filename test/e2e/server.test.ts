// A started Switchyard (the CLI's `start`, as `npm start` runs it) driven over HTTP.
import Anthropic from '@anthropic-ai/sdk';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, startProcess as start, type Started } from '../helpers/process.ts';

function post(url: string, body: string, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

/** The demo API key the banner printed for a role. */
function demoKey(server: Started, role: string): string {
  const key = new RegExp(`^ {4}${role} +(syk_\\S+)`, 'm').exec(server.output())?.[1];
  if (!key) throw new Error(`no demo key for ${role} in the banner:\n${server.output()}`);
  return key;
}

describe('switchyard start (demo mode, embedded store)', () => {
  let dataDir: string;
  let server: Started;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-e2e-'));
    server = await start({ DATA_DIR: dataDir });
  });

  afterAll(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Anonymous callers see nothing but health: every operation below runs as the demo admin.
  const asAdmin = (body: string) => post(server.url, body, { 'x-api-key': demoKey(server, 'admin') });

  it('prints a DEMO banner with the GraphQL and emulator URLs', () => {
    expect(server.output()).toContain('DEMO MODE');
    expect(server.output()).toMatch(/stripe: demo at http:\/\/127\.0\.0\.1:\d+/);
    expect(server.output()).toMatch(/hubspot: demo at http:\/\/127\.0\.0\.1:\d+/);
    expect(server.output()).toMatch(/openai: demo at http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(server.output()).toContain('X-Api-Key: <key>');
    for (const role of ['admin', 'operator', 'app', 'customer', 'service']) expect(demoKey(server, role)).toMatch(/^syk_[0-9a-f]{16}_/);
  });

  it('starts the Anthropic emulator beside the others in demo mode, and the Anthropic provider on it', async () => {
    const url = /anthropic: demo at (http:\/\/127\.0\.0\.1:\d+)/.exec(server.output())?.[1];
    expect(url, server.output()).toBeDefined();
    const client = new Anthropic({ apiKey: 'demo', baseURL: url, maxRetries: 0 });
    const msg = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'Hello' }] });
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
  });

  it('answers anonymous operations UNAUTHENTICATED, and each demo key as its role', async () => {
    const query = JSON.stringify({ query: '{ customer(id: "cust_demo0001") { id email } }' });
    const anonymous = (await (await post(server.url, query)).json()) as { data: { customer: null }; errors: { extensions: { code: string } }[] };
    expect(anonymous.data.customer).toBeNull();
    expect(anonymous.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    const app = (await (await post(server.url, query, { 'x-api-key': demoKey(server, 'app') })).json()) as {
      errors: { path: string[]; extensions: { code: string } }[];
    };
    expect(app.errors.map((e) => [e.path.join('.'), e.extensions.code])).toEqual([['customer.email', 'FORBIDDEN']]);
    const bad = await post(server.url, query, { 'x-api-key': `${demoKey(server, 'admin').slice(0, -4)}AAAA` });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('serves Apollo Sandbox to a browser', async () => {
    const res = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toMatch(/sandbox/i);
  });

  it('reports readiness with the store and every connector (details with an ops:read key)', async () => {
    const anonymous = (await (await fetch(server.url.replace('/graphql', '/health/ready'))).json()) as Record<string, unknown>;
    expect(anonymous).toMatchObject({ status: 'ready', store: { state: 'up' } });
    expect(JSON.stringify(anonymous)).not.toMatch(/baseUrl|mode|127\.0\.0\.1/);
    const res = await fetch(server.url.replace('/graphql', '/health/ready'), { headers: { 'x-api-key': demoKey(server, 'operator') } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      store: { kind: string; state: string };
      connectors: { name: string; mode: string; baseUrl: string; state: string }[];
    };
    expect(body.status).toBe('ready');
    expect(body.store).toMatchObject({ kind: 'pglite', state: 'up' });
    expect(body.connectors.map((c) => [c.name, c.mode])).toEqual([
      ['stripe', 'demo'],
      ['hubspot', 'demo'],
      ['openai', 'demo'],
      ['anthropic', 'demo'],
    ]);
    expect((await fetch(server.url.replace('/graphql', '/health/live'))).status).toBe(200);
  });

  it('answers the nested query over POST and a query over GET', async () => {
    const res = await asAdmin(
      JSON.stringify({
        query:
          '{ customers(first: 3) { totalCount edges { node { email crmContact { email } payments(first: 2) { edges { node { amount { formatted } } } } } } } }',
      }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { customers: { totalCount: number; edges: { node: { email: string; crmContact: { email: string } } }[] } } };
    expect(body.data.customers.totalCount).toBe(200);
    for (const e of body.data.customers.edges) expect(e.node.crmContact.email).toBe(e.node.email);

    const get = await fetch(`${server.url}?query=${encodeURIComponent('{ customer(id: "cust_demo0001") { email } }')}`, {
      headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${demoKey(server, 'admin')}` },
    });
    expect(((await get.json()) as { data: { customer: { email: string } } }).data.customer.email).toMatch(/@example\.com$/);

    const mutationOverGet = await fetch(`${server.url}?query=${encodeURIComponent('mutation { complete(input: { prompt: "hi" }) { text } }')}`, {
      headers: { 'apollo-require-preflight': 'true', 'x-api-key': demoKey(server, 'admin') },
    });
    expect(mutationOverGet.status).toBe(405);
  });

  it('answers malformed requests with coded errors, no stack trace, and stays up', async () => {
    const bad = [
      await asAdmin('{"query": "{ customers { totalCount }'),
      await asAdmin(JSON.stringify({ query: '{ customers { nope } }' })),
      await asAdmin(JSON.stringify({ query: 'mutation { createCustomer(input: { email: "not-an-email" }) { id } }' })),
      await asAdmin(
        JSON.stringify({
          query: 'mutation($i: CreatePaymentInput!) { createPayment(input: $i) { id } }',
          variables: { i: { customerId: 'cust_demo0001', amount: -1, currency: 'USD', idempotencyKey: 'abcdefgh' } },
        }),
      ),
      await asAdmin(JSON.stringify({ query: '{ customer(id: "!!") { id } }' })),
    ];
    const codes = [];
    for (const res of bad) {
      const text = await res.text();
      expect(text).not.toMatch(/stacktrace|node_modules|\.ts:\d+/);
      codes.push((JSON.parse(text) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code);
    }
    expect(codes).toEqual(['BAD_REQUEST', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(bad[0]!.status).toBe(400);

    const ok = await asAdmin(JSON.stringify({ query: 'mutation { complete(input: { prompt: "Still there?" }) { text usage { totalTokens } } }' }));
    const body = (await ok.json()) as { data: { complete: { text: string; usage: { totalTokens: number } } } };
    expect(body.data.complete.text.length).toBeGreaterThan(0);
    expect(body.data.complete.usage.totalTokens).toBeGreaterThan(0);
  });

  let created: string;
  it('creates a customer linked to Stripe and the CRM', async () => {
    const res = await asAdmin(
      JSON.stringify({ query: 'mutation { createCustomer(input: { email: "e2e@example.com", name: "Eve Twoe" }) { id linkStatus } }' }),
    );
    const body = (await res.json()) as { data: { createCustomer: { id: string; linkStatus: string } } };
    expect(body.data.createCustomer.linkStatus).toBe('LINKED');
    created = body.data.createCustomer.id;
  });

  it('shuts down gracefully on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(server.output()).toContain('shutdown complete');
  });

  it('keeps demo data coherent across a restart (store and emulators both persist under DATA_DIR)', async () => {
    const oldAdminKey = demoKey(server, 'admin');
    server = await start({ DATA_DIR: dataDir });
    const query = `{ customer(id: "${created}") { email crmContact { email } payments { edges { cursor } } } }`;
    // A new session has new demo keys; the previous session's are revoked.
    const previous = (await (await post(server.url, JSON.stringify({ query }), { 'x-api-key': oldAdminKey })).json()) as {
      errors: { extensions: { code: string; reason: string } }[];
    };
    expect(previous.errors[0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'revoked' });
    const res = await asAdmin(JSON.stringify({ query }));
    const body = (await res.json()) as {
      data: { customer: { email: string; crmContact: { email: string }; payments: { edges: unknown[] } } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data.customer.crmContact.email).toBe('e2e@example.com');
    expect(body.data.customer.payments.edges).toEqual([]);
    server.child.kill('SIGTERM');
  });
});

describe('switchyard start with a bad setting', () => {
  it('exits non-zero naming the variable', async () => {
    const child = spawn(process.execPath, [BIN, 'start'], { env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(err).toContain('PORT');
  });
});
