// Refused credentials that a guess gets are counted per client address on every way in: /graphql,
// /health/ready, the console's sign-in and GraphQL over WebSocket (stale ones, a revoked key, are
// not). After AUTH_FAILURE_LIMIT refusals in the window, that address's credentials are refused
// unread (429 RATE_LIMITED with Retry-After, no store read), a right one too, until the window is
// over; requests without a credential and other addresses are answered as before. X-Forwarded-For
// counts only from a proxy TRUST_PROXY names. On Redis the count holds across replicas.
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiKeys } from '../../src/auth/apiKeys.ts';
import { SHARED_STORES, startStack, type Stack } from '../helpers/stack.ts';

const LIMIT = { AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_MS: '2000' };
const WRONG = 'syk_00000000000000aa_0000000000000000000000000000000000000000000000000000000000000000';
const QUERY = { query: '{ customers(first: 1) { totalCount } }' };

function graphql(stack: Stack, headers: Record<string, string>, remoteAddress: string) {
  return stack.server.app.inject({
    method: 'POST',
    url: '/graphql',
    remoteAddress,
    headers: { 'content-type': 'application/json', ...headers },
    payload: QUERY,
  } as InjectOptions);
}

async function spend(stack: Stack, address: string, n = 3) {
  for (let i = 0; i < n; i++) expect((await graphql(stack, { 'x-api-key': WRONG }, address)).statusCode).toBe(401);
}

describe.each(SHARED_STORES)('refused credentials per address, %s', { timeout: 60_000 }, (shared) => {
  let stack: Stack;
  let admin: string;
  beforeAll(async () => {
    stack = await startStack('pglite', { shared, env: LIMIT });
    admin = (await new ApiKeys(stack.connectors.store).issue({ role: 'admin', name: 'auth-failures' })).key;
  }, 60_000);
  afterAll(() => stack?.stop());

  it('refuses an address past the limit unread, right credentials too, until the window is over', async () => {
    const address = '10.3.0.1';
    await spend(stack, address);
    stack.resetCounts();
    const refused = await graphql(stack, { 'x-api-key': admin }, address);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const error = refused.json().errors[0];
    expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'too_many_failures' });
    expect(error.extensions.retryAfterMs).toBeGreaterThan(0);
    expect(JSON.stringify(refused.json())).not.toMatch(/stack|at \w+ \(/);
    expect(stack.storeQueries()).toBe(0); // the key was not looked up

    // A Bearer token, the health endpoint: the same refusal.
    expect((await graphql(stack, { authorization: `Bearer ${admin}` }, address)).statusCode).toBe(429);
    const health = await stack.server.app.inject({ method: 'GET', url: '/health/ready', remoteAddress: address, headers: { 'x-api-key': admin } });
    expect(health.statusCode).toBe(429);
    expect(health.json().errors[0].extensions.code).toBe('RATE_LIMITED');

    // No credential, or another address: answered as before.
    const anonymous = await stack.server.app.inject({ method: 'GET', url: '/health/ready', remoteAddress: address });
    expect(anonymous.statusCode).toBe(200);
    expect((await graphql(stack, { 'x-api-key': admin }, '10.3.0.2')).json().errors).toBeUndefined();

    await new Promise((r) => setTimeout(r, Number(error.extensions.retryAfterMs) + 100));
    expect((await graphql(stack, { 'x-api-key': admin }, address)).json().errors).toBeUndefined();
  });

  it('does not count stale credentials (a revoked key): an old client does not lock out its neighbours', async () => {
    const address = '10.3.0.4';
    const keys = new ApiKeys(stack.connectors.store);
    const old = await keys.issue({ role: 'app', name: 'revoked-one' });
    await keys.revoke(old.record.id);
    for (let i = 0; i < 6; i++) {
      const res = await graphql(stack, { 'x-api-key': old.key }, address);
      expect(res.statusCode).toBe(401);
      expect(res.json().errors[0].extensions.reason).toBe('revoked');
    }
    expect((await graphql(stack, { 'x-api-key': admin }, address)).json().errors).toBeUndefined();
  });

  it("counts the console's refused sign-ins in the same family", async () => {
    const address = '10.3.0.3';
    for (let i = 0; i < 3; i++) {
      const res = await stack.server.app.inject({ method: 'POST', url: '/console/api/session', remoteAddress: address, payload: { credential: WRONG } });
      expect(res.statusCode).toBe(401);
    }
    expect((await graphql(stack, { 'x-api-key': admin }, address)).statusCode).toBe(429);
    const signIn = await stack.server.app.inject({ method: 'POST', url: '/console/api/session', remoteAddress: address, payload: { credential: admin } });
    expect(signIn.statusCode).toBe(429);
    expect(signIn.json().error.code).toBe('RATE_LIMITED');
    expect(signIn.headers['set-cookie']).toBeUndefined();
  });

  it('closes a WebSocket from an address past the limit with 1013 (try again later), its key unread; one open before goes on', async () => {
    const base = await stack.server.app.listen({ host: '127.0.0.1', port: 0 });
    const before = new WebSocket(`${base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: { type: string; id?: string; payload?: unknown }[] = [];
    before.on('message', (data) => messages.push(JSON.parse(data.toString())));
    const until = async (type: string) => {
      for (let i = 0; i < 100 && !messages.some((m) => m.type === type); i++) await new Promise((r) => setTimeout(r, 20));
      return messages.find((m) => m.type === type);
    };
    before.on('open', () => before.send(JSON.stringify({ type: 'connection_init', payload: { 'x-api-key': admin } })));
    expect(await until('connection_ack')).toBeDefined();

    await spend(stack, '127.0.0.1');
    before.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ customers(first: 1) { totalCount } }' } }));
    expect(await until('next')).toMatchObject({ id: '1', payload: { data: { customers: { totalCount: expect.any(Number) } } } });
    before.close();

    const socket = new WebSocket(`${base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { 'x-api-key': admin } })));
    expect(await closed).toEqual({ code: 1013, reason: expect.stringMatching(/too many refused credentials/i) });
  });
});

describe('refused credentials behind a proxy', { timeout: 60_000 }, () => {
  let direct: Stack;
  let proxied: Stack;
  beforeAll(async () => {
    direct = await startStack('pglite', { env: LIMIT });
    proxied = await startStack('pglite', { env: { ...LIMIT, TRUST_PROXY: '10.9.0.1' } });
  }, 60_000);
  afterAll(async () => {
    await direct?.stop();
    await proxied?.stop();
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy: rotating it does not reset the count', async () => {
    for (let i = 0; i < 3; i++) expect((await graphql(direct, { 'x-api-key': WRONG, 'x-forwarded-for': `203.0.113.${i}` }, '10.6.0.1')).statusCode).toBe(401);
    expect((await graphql(direct, { 'x-api-key': WRONG, 'x-forwarded-for': '203.0.113.99' }, '10.6.0.1')).statusCode).toBe(429);
  });

  it('counts per forwarded client behind a trusted proxy, so one client cannot lock the others out', async () => {
    const via = (client: string) => ({ 'x-api-key': WRONG, 'x-forwarded-for': client });
    for (let i = 0; i < 3; i++) expect((await graphql(proxied, via('198.51.100.1'), '10.9.0.1')).statusCode).toBe(401);
    expect((await graphql(proxied, via('198.51.100.1'), '10.9.0.1')).statusCode).toBe(429);
    expect((await graphql(proxied, via('198.51.100.2'), '10.9.0.1')).statusCode).toBe(401);
    // An untrusted peer's header is ignored: counted by its own address.
    for (let i = 0; i < 3; i++) expect((await graphql(proxied, via(`198.51.100.${10 + i}`), '10.9.0.2')).statusCode).toBe(401);
    expect((await graphql(proxied, via('198.51.100.20'), '10.9.0.2')).statusCode).toBe(429);
  });
});

describe.runIf(SHARED_STORES.includes('redis'))('refused credentials across replicas on Redis', { timeout: 60_000 }, () => {
  const prefix = `sy_test_authfail_${Date.now()}:`;
  let a: Stack;
  let b: Stack;
  beforeAll(async () => {
    const env = { ...LIMIT, AUTH_FAILURE_WINDOW_MS: '60000' };
    a = await startStack('pglite', { shared: 'redis', redisPrefix: prefix, env });
    b = await startStack('pglite', { shared: 'redis', redisPrefix: prefix, env });
  }, 60_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('shares the count: refusals spread over replicas add up', async () => {
    const address = '10.4.0.1';
    expect((await graphql(a, { 'x-api-key': WRONG }, address)).statusCode).toBe(401);
    expect((await graphql(b, { 'x-api-key': WRONG }, address)).statusCode).toBe(401);
    expect((await graphql(a, { 'x-api-key': WRONG }, address)).statusCode).toBe(401);
    // The third used the allowance up: the replica that counted it refuses unread from now on.
    expect((await graphql(a, { 'x-api-key': WRONG }, address)).statusCode).toBe(429);
    // The other learns at its next refusal, which the shared count already puts past the limit.
    expect((await graphql(b, { 'x-api-key': WRONG }, address)).statusCode).toBe(401);
    expect((await graphql(b, { 'x-api-key': WRONG }, address)).statusCode).toBe(429);
  });
});
