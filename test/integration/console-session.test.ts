// The operator console's session over HTTP (Fastify inject, the whole request path): signing in
// with an API key or a JWT, the cookie's attributes, the CSRF token every cookie request must
// carry, revocation, expiry and sign-out, and the same permissions as any other client.
import { SignJWT } from 'jose';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from '../../src/auth/apiKeys.ts';
import { CONSOLE_CSP } from '../../src/console/static.ts';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';

const SECRET = 'console-secret-of-more-than-32-chars!';
const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'switchyard';
const jwt = (role: string, sub: string, expiresIn = '5m') =>
  new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(SECRET));

interface Session {
  cookie: string;
  csrf: string;
  setCookie: string;
  body: { principal: { id: string; role: string; scopes: string[] }; csrfToken: string; expiresAt: string };
}

describe.each(BACKENDS)('console sessions on %s', { timeout: 60_000 }, (backend) => {
  let stack: Stack;
  let keys: ApiKeys;
  beforeAll(async () => {
    stack = await startStack(backend, { env: { JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } });
    keys = new ApiKeys(stack.connectors.store);
  }, 60_000);
  afterAll(() => stack?.stop());

  const inject = (opts: InjectOptions) => stack.server.app.inject(opts);
  const signIn = async (credential: string, host = '127.0.0.1'): Promise<Session> => {
    const res = await inject({ method: 'POST', url: '/console/api/session', headers: { host }, payload: { credential } });
    expect(res.statusCode, res.body).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    return { cookie: setCookie.split(';')[0]!, csrf: res.json().csrfToken, setCookie, body: res.json() };
  };
  const graphql = (query: string, headers: Record<string, string>) =>
    inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', ...headers }, payload: { query } });
  const key = async (role: 'admin' | 'operator' | 'app') => keys.issue({ role, name: `console-${role}` });

  it('signs in with an admin key: an httpOnly, SameSite=Strict cookie, Secure outside localhost, and a CSRF token', async () => {
    const { key: admin, record } = await key('admin');
    const local = await signIn(admin);
    expect(local.body.principal).toMatchObject({ id: `key:${record.id}`, role: 'admin' });
    expect(local.body.principal.scopes).toContain('audit:read');
    expect(local.setCookie).toMatch(/^sy_console=[\w-]{40,};/);
    expect(local.setCookie).toMatch(/HttpOnly/);
    expect(local.setCookie).toMatch(/SameSite=Strict/);
    expect(local.setCookie).toMatch(/Path=\//);
    expect(local.setCookie).toMatch(/Max-Age=28800/);
    expect(local.setCookie).not.toMatch(/Secure/);
    // The token is not the key, and the store keeps only its hash.
    expect(local.cookie).not.toContain(admin);
    const { rows } = await stack.connectors.store.db.query<{ token_hash: string }>(`select token_hash from console_sessions`);
    expect(rows.map((r) => r.token_hash)).not.toContain(local.cookie.split('=')[1]);
    const remote = await signIn(admin, 'switchyard.example.com');
    expect(remote.setCookie).toMatch(/Secure/);
    const me = await inject({ method: 'GET', url: '/console/api/session', headers: { cookie: local.cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(local.body);
    expect(me.headers['cache-control']).toBe('no-store');
    expect(me.headers['content-security-policy']).toBe(CONSOLE_CSP);
  });

  it('answers GraphQL as the session principal only with the CSRF token: the cookie alone is anonymous, a wrong token is refused', async () => {
    const s = await signIn((await key('admin')).key);
    const query = `{ connectors { name } }`;
    const ok = await graphql(query, { cookie: s.cookie, 'x-csrf-token': s.csrf });
    expect(ok.json().errors).toBeUndefined();
    expect(ok.json().data.connectors.length).toBeGreaterThan(0);
    // A page elsewhere that makes the browser send the cookie gets nothing an anonymous caller would not.
    const bare = await graphql(query, { cookie: s.cookie });
    expect(bare.json().errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(bare.json().data).toBeNull();
    const wrong = await graphql(query, { cookie: s.cookie, 'x-csrf-token': `${s.csrf.slice(0, -2)}xx` });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'csrf' });
    const twice = await graphql(query, { cookie: s.cookie, 'x-csrf-token': [s.csrf, s.csrf] as unknown as string });
    expect(twice.statusCode).toBe(401);
    // A header credential wins over the cookie.
    const { key: app } = await key('app');
    const asApp = await graphql(query, { cookie: s.cookie, 'x-csrf-token': s.csrf, 'x-api-key': app });
    expect(asApp.json().errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('gives an operator the operator permissions: no audit trail', async () => {
    const s = await signIn((await key('operator')).key);
    expect(s.body.principal.role).toBe('operator');
    const audit = await graphql(
      `
        {
          auditEvents(first: 1) {
            totalCount
          }
        }
      `,
      { cookie: s.cookie, 'x-csrf-token': s.csrf },
    );
    expect(audit.json().errors[0].extensions.code).toBe('FORBIDDEN');
    const runs = await graphql(
      `
        {
          workflowRuns(first: 1) {
            totalCount
          }
        }
      `,
      { cookie: s.cookie, 'x-csrf-token': s.csrf },
    );
    expect(runs.json().errors).toBeUndefined();
  });

  it('refuses other roles, bad credentials and bad bodies with coded errors', async () => {
    const cases: [unknown, number, string][] = [
      [{ credential: (await key('app')).key }, 403, 'FORBIDDEN'],
      [{ credential: await jwt('app', 'user-app') }, 403, 'FORBIDDEN'],
      [{ credential: 'syk_nope_0000' }, 401, 'UNAUTHENTICATED'],
      [{ credential: 'not a credential' }, 401, 'UNAUTHENTICATED'],
      [{ credential: await jwt('admin', 'user-late', '-1m') }, 401, 'UNAUTHENTICATED'],
      [{ credential: '' }, 400, 'BAD_USER_INPUT'],
      [{}, 400, 'BAD_USER_INPUT'],
      [{ credential: 'x', extra: 1 }, 400, 'BAD_USER_INPUT'],
      [[1, 2], 400, 'BAD_USER_INPUT'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await inject({ method: 'POST', url: '/console/api/session', payload: payload as object });
      expect([res.statusCode, res.json().error?.code], JSON.stringify(payload)).toEqual([status, code]);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    }
    // A form on another site can post text/plain, never JSON: its body is not read as a sign-in.
    const form = await inject({
      method: 'POST',
      url: '/console/api/session',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ credential: (await key('admin')).key }),
    });
    expect([form.statusCode, form.json().error.code]).toEqual([400, 'BAD_USER_INPUT']);
    expect(form.headers['set-cookie']).toBeUndefined();
  });

  it('ends the session when its key is revoked, when it expires, and on sign-out', async () => {
    const { key: k, record } = await key('admin');
    const revoked = await signIn(k);
    await keys.revoke(record.id);
    const after = await graphql(
      `
        {
          connectors {
            name
          }
        }
      `,
      { cookie: revoked.cookie, 'x-csrf-token': revoked.csrf },
    );
    expect(after.statusCode).toBe(401);
    expect(after.json().errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'revoked' });
    expect((await inject({ method: 'GET', url: '/console/api/session', headers: { cookie: revoked.cookie } })).statusCode).toBe(401);

    const expiring = await signIn((await key('admin')).key);
    await stack.connectors.store.db.query(`update console_sessions set expires_at = now() - interval '1 second'`);
    const late = await graphql(
      `
        {
          connectors {
            name
          }
        }
      `,
      { cookie: expiring.cookie, 'x-csrf-token': expiring.csrf },
    );
    expect(late.json().errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'session' });

    const s = await signIn((await key('admin')).key);
    const noToken = await inject({ method: 'DELETE', url: '/console/api/session', headers: { cookie: s.cookie } });
    expect(noToken.statusCode).toBe(401);
    const out = await inject({ method: 'DELETE', url: '/console/api/session', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^sy_console=; Max-Age=0/);
    const gone = await graphql(
      `
        {
          connectors {
            name
          }
        }
      `,
      { cookie: s.cookie, 'x-csrf-token': s.csrf },
    );
    expect(gone.json().errors[0].extensions.reason).toBe('session');
  });

  it('signs in with an operator JWT until the token expires at the latest', async () => {
    const s = await signIn(await jwt('operator', 'user-op', '10m'));
    expect(s.body.principal).toMatchObject({ id: 'user-op', role: 'operator' });
    const ttl = (Date.parse(s.body.expiresAt) - Date.now()) / 1000;
    expect(ttl).toBeGreaterThan(500);
    expect(ttl).toBeLessThanOrEqual(600);
    expect(s.setCookie).toMatch(/Max-Age=(59\d|600);/);
    const runs = await graphql(
      `
        {
          workflowRuns(first: 1) {
            totalCount
          }
        }
      `,
      { cookie: s.cookie, 'x-csrf-token': s.csrf },
    );
    expect(runs.json().errors).toBeUndefined();
  });

  it('serves the console page under a strict CSP for every route below /console, never cached', async () => {
    for (const url of ['/console', '/console/', '/console/workflows/wfr_1']) {
      const res = await inject({ method: 'GET', url });
      expect([200, 503]).toContain(res.statusCode);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.body).not.toMatch(/<script>|<style>|\sstyle="/);
    }
    expect((await inject({ method: 'GET', url: '/console/assets/nope.js' })).statusCode).toBe(404);
  });

  it("points from the Sandbox page, which needs Apollo's CDN, to the console's bundled explorer", async () => {
    const res = await inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<a href="/console/explorer">');
  });
});
