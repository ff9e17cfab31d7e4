// Sign-in attempts at POST /console/api/session are limited per client address, whatever the
// attempt is: a wrong credential, a malformed body, a right credential. Past the limit every
// attempt from that address gets 429 RATE_LIMITED with Retry-After, no cookie and no session row,
// while other addresses sign in; the window's end lets it in again. On Redis the count is shared
// by replicas, so spreading attempts over them gains nothing.
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from '../../src/auth/apiKeys.ts';
import { SHARED_STORES, startStack, type Stack } from '../helpers/stack.ts';

const LIMIT = { CONSOLE_SIGNIN_LIMIT: '3', CONSOLE_SIGNIN_WINDOW_MS: '1000' };

const attempt = (stack: Stack, payload: unknown, remoteAddress = '127.0.0.1') =>
  stack.server.app.inject({ method: 'POST', url: '/console/api/session', remoteAddress, payload } as InjectOptions);

async function sessionRows(stack: Stack): Promise<number> {
  const { rows } = await stack.connectors.store.db.query<{ n: number }>('select count(*)::int as n from console_sessions');
  return rows[0]!.n;
}

describe.each(SHARED_STORES)('console sign-in limit, %s', { timeout: 60_000 }, (shared) => {
  let stack: Stack;
  let admin: string;
  beforeAll(async () => {
    stack = await startStack('pglite', { shared, env: LIMIT });
    admin = (await new ApiKeys(stack.connectors.store).issue({ role: 'admin', name: 'signin-limit' })).key;
  }, 60_000);
  afterAll(() => stack?.stop());

  it('counts every attempt from an address and refuses the ones past the limit, even with a right credential', async () => {
    const address = '10.1.0.1';
    expect((await attempt(stack, { credential: 'syk_0000000000000000_nope' }, address)).statusCode).toBe(401);
    expect((await attempt(stack, { nonsense: true }, address)).statusCode).toBe(400);
    expect((await attempt(stack, { credential: admin }, address)).statusCode).toBe(200);
    const rowsBefore = await sessionRows(stack);

    const refused = await attempt(stack, { credential: admin }, address);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.json().error.retryAfterMs).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers['set-cookie']).toBeUndefined();
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(await sessionRows(stack)).toBe(rowsBefore);

    // Another address has its own allowance.
    expect((await attempt(stack, { credential: admin }, '10.1.0.2')).statusCode).toBe(200);

    // Once the window is over, the first address may try again.
    await new Promise((r) => setTimeout(r, Number(refused.json().error.retryAfterMs) + 50));
    expect((await attempt(stack, { credential: admin }, address)).statusCode).toBe(200);
  });

  it('leaves signed-in sessions and /graphql alone while an address is refused', async () => {
    const address = '10.1.0.3';
    const ok = await attempt(stack, { credential: admin }, address);
    expect(ok.statusCode).toBe(200);
    for (let i = 0; i < 2; i++) await attempt(stack, { credential: 'wrong' }, address);
    expect((await attempt(stack, { credential: admin }, address)).statusCode).toBe(429);
    const cookie = String(ok.headers['set-cookie']).split(';')[0]!;
    const who = await stack.server.app.inject({ method: 'GET', url: '/console/api/session', remoteAddress: address, headers: { cookie } });
    expect(who.statusCode).toBe(200);
    const graph = await stack.server.app.inject({
      method: 'POST',
      url: '/graphql',
      remoteAddress: address,
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': ok.json().csrfToken },
      payload: { query: '{ customers(first: 1) { totalCount } }' },
    });
    expect(graph.json().errors).toBeUndefined();
  });
});

describe.runIf(SHARED_STORES.includes('redis'))('console sign-in limit across replicas on Redis', { timeout: 60_000 }, () => {
  const prefix = `sy_test_signin_${Date.now()}:`;
  let a: Stack;
  let b: Stack;
  beforeAll(async () => {
    a = await startStack('pglite', { shared: 'redis', redisPrefix: prefix, env: { ...LIMIT, CONSOLE_SIGNIN_WINDOW_MS: '60000' } });
    b = await startStack('pglite', { shared: 'redis', redisPrefix: prefix, env: { ...LIMIT, CONSOLE_SIGNIN_WINDOW_MS: '60000' } });
  }, 60_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('shares one count per address between the replicas', async () => {
    const address = '10.2.0.1';
    expect((await attempt(a, { credential: 'wrong' }, address)).statusCode).toBe(401);
    expect((await attempt(b, { credential: 'wrong' }, address)).statusCode).toBe(401);
    expect((await attempt(a, { credential: 'wrong' }, address)).statusCode).toBe(401);
    const refused = await attempt(b, { credential: 'wrong' }, address);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
  });
});
