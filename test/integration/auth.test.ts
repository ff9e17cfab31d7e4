// Authentication over HTTP (Fastify inject, the whole request path): API keys in X-Api-Key or as
// bearer tokens, revocation that holds at once, JWTs, and the customer role confined to itself.
import { Command } from 'commander';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from '../../src/auth/apiKeys.ts';
import { registerKeysCommand } from '../../src/auth/cli.ts';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { OTHER, OWN } from '../helpers/principals.ts';

const SECRET = 'integration-secret-of-more-than-32-chars';
const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'switchyard';

const jwt = (claims: Record<string, unknown>, sub: string, expiresIn = '5m') =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(SECRET));

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; path?: string[]; extensions: Record<string, unknown> }[] };
}

describe.each(BACKENDS)('authentication on %s', (backend) => {
  let stack: Stack;
  let keys: ApiKeys;
  beforeAll(async () => {
    stack = await startStack(backend, { env: { JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } });
    keys = new ApiKeys(stack.connectors.store);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function gql(query: string, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await stack.server.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', ...headers },
      payload: { query },
    });
    return { status: res.statusCode, headers: res.headers, body: res.json() };
  }
  const codes = (a: Answer) => (a.body.errors ?? []).map((e) => e.extensions.code);

  it('an API key, in X-Api-Key or as a bearer token, acts as its role; its use is recorded', async () => {
    const { key, record } = await keys.issue({ role: 'operator', name: 'support tool' });
    expect(record.lastUsedAt).toBeNull();
    const q = `{ customer(id: "${OWN.customer}") { email } }`;
    for (const headers of [{ 'x-api-key': key }, { authorization: `Bearer ${key}` }] as Record<string, string>[]) {
      const a = await gql(q, headers);
      expect(a.status).toBe(200);
      expect(a.body.errors).toBeUndefined();
      expect(a.body.data).toMatchObject({ customer: { email: expect.stringContaining('@example.com') } });
    }
    await expect.poll(async () => (await stack.connectors.store.apiKeys.byId(record.id))?.lastUsedAt).not.toBeNull();
    const app = await keys.issue({ role: 'app', name: 'frontend' });
    const denied = await gql(q, { 'x-api-key': app.key });
    expect(denied.body.errors?.map((e) => [e.path?.join('.'), e.extensions.code])).toEqual([['customer.email', 'FORBIDDEN']]);
  });

  it('a revoked key stops working at once (no lookup is cached between requests)', async () => {
    const { key, record } = await keys.issue({ role: 'admin', name: 'to be revoked' });
    const q = '{ customers(first: 1) { totalCount } }';
    expect((await gql(q, { 'x-api-key': key })).body.errors).toBeUndefined();
    await keys.revoke(record.id);
    const after = await gql(q, { 'x-api-key': key });
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'revoked' });
    expect(after.body.data).toBeUndefined();
  });

  it('refuses wrong, unknown and malformed credentials, and two at once: 401 with a challenge, never anonymous', async () => {
    const { key } = await keys.issue({ role: 'admin', name: 'real' });
    const wrongSecret = key.slice(0, -8) + (key.endsWith('00000000') ? '11111111' : '00000000');
    const unknownId = `syk_${'0'.repeat(16)}_${key.slice(-64)}`;
    const cases: [Record<string, string>, string][] = [
      [{ 'x-api-key': wrongSecret }, 'invalid_api_key'],
      [{ 'x-api-key': unknownId }, 'invalid_api_key'],
      [{ 'x-api-key': 'let-me-in' }, 'malformed'],
      [{ authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }, 'malformed'],
      [{ authorization: `Bearer ${key}`, 'x-api-key': key }, 'ambiguous'],
    ];
    for (const [headers, reason] of cases) {
      const a = await gql('{ customers(first: 1) { totalCount } }', headers);
      expect(a.status, reason).toBe(401);
      expect(a.headers['www-authenticate']).toMatch(/^Bearer realm="switchyard", error="invalid_(token|request)"$/);
      expect(a.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
      expect(JSON.stringify(a.body)).not.toMatch(/stacktrace|Context creation failed/);
    }
  });

  it('no credential is anonymous: every field UNAUTHENTICATED, introspection still answers outside production', async () => {
    const a = await gql(`{ customer(id: "${OWN.customer}") { id } payment(id: "${OWN.payment}") { id } }`);
    expect(a.status).toBe(200);
    expect(codes(a)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(a.body.data).toEqual({ customer: null, payment: null });
    const schema = await gql('{ __schema { queryType { name } } }');
    expect(schema.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('a JWT acts as its role and scopes; a bad one is 401 with the reason', async () => {
    const service = await jwt({ role: 'service', scope: 'payments:read' }, 'billing-service');
    const ok = await gql(`{ payment(id: "${OWN.payment}") { id } customer(id: "${OWN.customer}") { id } }`, { authorization: `Bearer ${service}` });
    expect(ok.body.data).toEqual({ payment: { id: OWN.payment }, customer: null });
    expect(ok.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: ['customers:read'] });

    const expired = await jwt({ role: 'admin' }, 'u', '-1h');
    const alg = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const none = `${alg}.${Buffer.from(JSON.stringify({ sub: 'u', role: 'admin', iss: ISSUER, aud: AUDIENCE, exp: 9_999_999_999 })).toString('base64url')}.`;
    for (const [token, reason] of [
      [expired, 'expired'],
      [none, 'algorithm_not_allowed'],
      [`${service.slice(0, -2)}xx`, 'invalid_signature'],
    ] as const) {
      const a = await gql('{ customers(first: 1) { totalCount } }', { authorization: `Bearer ${token}` });
      expect(a.status, reason).toBe(401);
      expect(a.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
    }
  });

  it('a customer sees its own customer, payments, refunds and contact, and nothing of anyone else', async () => {
    const token = await jwt({ role: 'customer' }, OWN.customer);
    const as = (q: string) => gql(q, { authorization: `Bearer ${token}` });
    const own =
      await as(`{ customer(id: "${OWN.customer}") { id email payments(first: 5) { edges { node { id refunds { id } customer { id } } } } crmContact { id email customer { id } } }
      payment(id: "${OWN.payment}") { id refunds { amount { amount } payment { id } } } crmContact(id: "${OWN.contact}") { firstName } }`);
    expect(own.body.errors).toBeUndefined();
    const customer = own.body.data!.customer as { payments: { edges: { node: { customer: { id: string } } }[] } };
    for (const e of customer.payments.edges) expect(e.node.customer.id).toBe(OWN.customer);

    const others = await as(`{ customer(id: "${OTHER.customer}") { id } payment(id: "${OTHER.payment}") { id } crmContact(id: "${OTHER.contact}") { id }
      nobody: payment(id: "pi_doesnotexist1") { id } }`);
    expect(others.body.data).toEqual({ customer: null, payment: null, crmContact: null, nobody: null });
    expect(codes(others)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(codes(await as('{ customers(first: 1) { totalCount } }'))).toEqual(['FORBIDDEN']);
    expect(
      codes(
        await as(
          `mutation { createPayment(input: { customerId: "${OWN.customer}", amount: 100, currency: "USD", idempotencyKey: "customer-pays-1" }) { id } }`,
        ),
      ),
    ).toEqual(['FORBIDDEN']);
  });

  it('an upstream failure while checking ownership is reported as itself, not as a permission error', async () => {
    const token = await jwt({ role: 'customer' }, OWN.customer);
    await fetch(`${stack.emulators.urls.stripe}/__control/faults`, { method: 'POST', body: JSON.stringify({ status: 503 }) });
    try {
      const a = await gql(`{ payment(id: "${OWN.payment.replace('04', '03')}") { id } }`, { authorization: `Bearer ${token}` });
      expect(a.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', connector: 'stripe' });
    } finally {
      await fetch(`${stack.emulators.urls.stripe}/__control/faults`, { method: 'POST', body: '{}' });
    }
  });

  it('keys create, list and revoke from the CLI', async () => {
    let out = '';
    const program = new Command().exitOverride();
    const store = { ...stack.connectors.store, close: async () => {} };
    registerKeysCommand(program, { loadConfig: () => stack.config, openStore: async () => store, out: (t) => void (out += t) });
    const run = (...args: string[]) => program.parseAsync(['node', 'switchyard', 'keys', ...args]);

    await run('create', '--role', 'service', '--name', 'billing', '--scopes', 'payments:read,payments:write');
    const key = /^(syk_[0-9a-f]{16}_[0-9a-f]{64})$/m.exec(out)![1]!;
    expect(out).toContain('shown only this once');
    expect((await gql(`{ payment(id: "${OWN.payment}") { id } }`, { 'x-api-key': key })).body.errors).toBeUndefined();

    out = '';
    await run('list', '--json');
    const listed = (JSON.parse(out) as { id: string; name: string; scopes: string[]; revokedAt: string | null }[]).find((k) => key.includes(k.id))!;
    expect(listed).toMatchObject({ name: 'billing', scopes: ['payments:read', 'payments:write'], revokedAt: null });
    expect(out).not.toContain(key.slice(-64));

    out = '';
    await run('revoke', listed.id);
    expect(out).toMatch(/revoked at/);
    expect((await gql('{ __typename }', { 'x-api-key': key })).status).toBe(401);

    await expect(run('create', '--role', 'root', '--name', 'x')).rejects.toThrow(/--role must be one of admin, operator, app, customer, service/);
    await expect(run('create', '--role', 'operator', '--name', 'x', '--scopes', 'audit:read')).rejects.toThrow(
      /--scopes: role operator cannot be granted audit:read/,
    );
    await expect(run('create', '--role', 'customer', '--name', 'x')).rejects.toThrow(/--customer: role customer needs the customer id/);
    await expect(run('create', '--role', 'customer', '--name', 'x', '--customer', 'cust_nobody99')).rejects.toThrow(/no customer cust_nobody99/);
    await expect(run('revoke', '0123456789abcdef')).rejects.toThrow(/No API key with id/);
  });
});
