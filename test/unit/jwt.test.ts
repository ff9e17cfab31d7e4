// JWT verification with jose: HS256 with a shared secret and RS256 from a JWKS endpoint; every
// way a token can be wrong is UNAUTHENTICATED with a reason, never a principal.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type JwtConfig } from '../../src/config.ts';
import { createJwtVerifier } from '../../src/auth/jwt.ts';

const SECRET = 'a-test-secret-of-more-than-32-characters!';
const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'switchyard';

const hsConfig = (env: Record<string, string> = {}): JwtConfig => loadConfig({ JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, ...env }).jwt!;

const now = () => Math.floor(Date.now() / 1000);

function sign(claims: JWTPayload, opts: { secret?: string; iss?: string; aud?: string; exp?: number; alg?: string } = {}) {
  const jwt = new SignJWT({ role: 'operator', ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
    .setSubject(typeof claims.sub === 'string' ? claims.sub : 'user-1')
    .setIssuer(opts.iss ?? ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? now() + 300);
  return jwt.sign(new TextEncoder().encode(opts.secret ?? SECRET));
}

async function refusal(token: string, config = hsConfig()) {
  try {
    await createJwtVerifier(config).verify(token);
  } catch (err) {
    return (err as { extensions: Record<string, unknown> }).extensions;
  }
  throw new Error('the token was accepted');
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('HS256 tokens', () => {
  it('become a principal of the token role with the scopes the role may carry', async () => {
    const p = await createJwtVerifier(hsConfig()).verify(await sign({ role: 'app', scope: 'openid pii:read payments:write' }));
    expect(p).toMatchObject({ id: 'user-1', role: 'app', via: 'jwt' });
    // pii:read is grantable to an app; payments:write is not, and openid means nothing here.
    expect([...p.scopes].sort()).toEqual(['crm:read', 'customers:read', 'payments:read', 'pii:read']);
  });

  it('give a service exactly the scopes it carries (scope or scp)', async () => {
    const v = createJwtVerifier(hsConfig());
    expect([...(await v.verify(await sign({ role: 'service', scope: 'payments:read' }))).scopes]).toEqual(['payments:read']);
    expect([...(await v.verify(await sign({ role: 'service', scp: ['crm:read', 'crm:write'] }))).scopes]).toEqual(['crm:read', 'crm:write']);
  });

  it('confine a customer token to the customer its subject names', async () => {
    const p = await createJwtVerifier(hsConfig()).verify(await sign({ role: 'customer', sub: 'cust_demo0005' }));
    expect(p).toMatchObject({ role: 'customer', customerId: 'cust_demo0005' });
    expect(await refusal(await sign({ role: 'customer', sub: 'someone@example.com' }))).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'claim_rejected' });
  });

  it('read the role from the configured claim', async () => {
    const config = hsConfig({ JWT_ROLE_CLAIM: 'https://switchyard.example/role' });
    const p = await createJwtVerifier(config).verify(await sign({ role: undefined, 'https://switchyard.example/role': 'admin' }));
    expect(p.role).toBe('admin');
  });

  it('allow the configured clock skew, and no more', async () => {
    const v = createJwtVerifier(hsConfig({ JWT_CLOCK_SKEW_SECONDS: '30' }));
    await expect(v.verify(await sign({}, { exp: now() - 10 }))).resolves.toMatchObject({ role: 'operator' });
    expect(await refusal(await sign({}, { exp: now() - 60 }))).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'expired' });
  });

  it.each([
    ['expired', () => sign({}, { exp: now() - 3_600 }), 'expired'],
    ['from another issuer', () => sign({}, { iss: 'https://evil.example/' }), 'claim_rejected'],
    ['for another audience', () => sign({}, { aud: 'another-service' }), 'claim_rejected'],
    ['badly signed', () => sign({}, { secret: 'another-secret-of-more-than-32-characters' }), 'invalid_signature'],
    [
      'with a tampered payload',
      async () => {
        const [h, , s] = (await sign({ role: 'app' })).split('.');
        return `${h}.${b64({ sub: 'user-1', role: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })}.${s}`;
      },
      'invalid_signature',
    ],
    [
      'with alg none',
      async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'user-1', role: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })}.`,
      'algorithm_not_allowed',
    ],
    ['signed HS512 when only HS256 is accepted', () => sign({}, { alg: 'HS512' }), 'algorithm_not_allowed'],
    [
      'without an expiry',
      async () =>
        new SignJWT({ role: 'admin' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('u')
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .sign(new TextEncoder().encode(SECRET)),
      'claim_rejected',
    ],
    ['without a Switchyard role', () => sign({ role: 'superuser' }), 'claim_rejected'],
    ['not a JWT at all', async () => 'not.a.jwt', 'malformed'],
  ])('refuse a token %s', async (_what, token, reason) => {
    const ext = await refusal(await token());
    expect(ext).toMatchObject({ code: 'UNAUTHENTICATED', reason, http: { status: 401 } });
  });
});

describe('tokens verified against a JWKS endpoint', () => {
  let server: Server;
  let url: string;
  let up = true;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let stranger: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    keys = await generateKeyPair('RS256');
    stranger = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_req, res) => {
      if (!up) return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const config = () => loadConfig({ JWT_JWKS_URL: url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }).jwt!;
  const rs = (key: CryptoKey, kid: string) =>
    new SignJWT({ role: 'app' })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setSubject('app-1')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(key);

  it('accepts a token signed with a published key', async () => {
    expect(await createJwtVerifier(config()).verify(await rs(keys.privateKey, 'k1'))).toMatchObject({ role: 'app', id: 'app-1' });
  });

  it('refuses a token signed with a key it does not publish, and an HS256 token made with the public key', async () => {
    expect(await refusal(await rs(stranger.privateKey, 'k2'), config())).toMatchObject({ reason: 'unknown_key' });
    expect(await refusal(await rs(stranger.privateKey, 'k1'), config())).toMatchObject({ reason: 'invalid_signature' });
    const confused = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('x')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JSON.stringify(await exportJWK(keys.publicKey))));
    expect(await refusal(confused, config())).toMatchObject({ reason: 'algorithm_not_allowed' });
  });

  it('answers 503 UPSTREAM_UNAVAILABLE, not UNAUTHENTICATED, when the keys cannot be fetched', async () => {
    up = false;
    try {
      expect(await refusal(await rs(keys.privateKey, 'k1'), config())).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        connector: 'jwks',
        http: { status: 503 },
      });
    } finally {
      up = true;
    }
  });
});

describe('the verified-token cache', () => {
  it('serves a token until its expiry and not a moment longer', async () => {
    // Zero skew, so the token is refused as soon as it expires.
    const verifier = createJwtVerifier(hsConfig({ JWT_CLOCK_SKEW_SECONDS: '0' }));
    const token = await sign({ sub: 'cached-user' }, { exp: now() + 2 });
    expect((await verifier.verify(token)).id).toBe('cached-user');
    expect((await verifier.verify(token)).id).toBe('cached-user');
    await new Promise((r) => setTimeout(r, 2_100));
    await expect(verifier.verify(token)).rejects.toMatchObject({ extensions: { reason: 'expired' } });
  });

  it('never caches a refusal', async () => {
    const verifier = createJwtVerifier(hsConfig());
    const bad = await sign({ sub: 'x' }, { secret: 'another-secret-that-is-long-enough-1234' });
    await expect(verifier.verify(bad)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    await expect(verifier.verify(bad)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});
