// Hostile documents over HTTP: each is refused before any resolver runs, with a coded error that
// names the limit, and the server answers the next ordinary operation. (How fast: bench/limits.ts.)
import { getIntrospectionQuery } from 'graphql';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../helpers/stack.ts';
import { HOSTILE } from '../../bench/hostile.ts';

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] };
}

const JWT = { JWT_SECRET: 'limits-secret-of-more-than-32-characters', JWT_ISSUER: 'https://idp.test/', JWT_AUDIENCE: 'switchyard' };

async function harness(env: Record<string, string> = {}) {
  const stack = await startStack('pglite', { env: { ...JWT, ...env } });
  // A JWT rather than an API key: authenticating then costs no store query, so the counts below are the operation's own.
  const token = await new SignJWT({ role: 'admin' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('limits')
    .setIssuer(JWT.JWT_ISSUER)
    .setAudience(JWT.JWT_AUDIENCE)
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT.JWT_SECRET));
  const send = async (payload: string | object): Promise<Answer> => {
    const res = await stack.server.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const upstreamCalls = () => stack.emulators.stripe.stats().total + stack.emulators.hubspot.stats().total + stack.emulators.openai.stats().total;
  return { stack, send, upstreamCalls };
}

const ORDINARY = '{ customers(first: 5) { totalCount edges { node { id payments(first: 2) { edges { node { amount { formatted } } } } } } } }';

function expectRefused(a: Answer, limit: string, status: number) {
  expect(a.status, JSON.stringify(a.body)).toBe(status);
  expect(a.body.data).toBeUndefined();
  expect(a.body.errors).toHaveLength(1);
  expect(a.body.errors![0]!.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit, max: expect.any(Number) });
  expect(a.body.errors![0]!.message).toMatch(/exceeds the limit of \d+/);
}

describe('operation limits with the defaults', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => {
    await h?.stack.stop();
  });

  it.each([
    ['depth 50', HOSTILE.depth50, 'depth', 400],
    ['10 000 aliases (stopped by the document size first, before parsing)', HOSTILE.aliases10k, 'documentSize', 413],
    ['a 1 MB query (over the request body limit)', HOSTILE.query1mb, 'bodySize', 413],
    ['nested connections asking first: 1000', HOSTILE.nestedFirst1000, 'cost', 400],
  ])('refuses %s before any resolver runs, and then answers an ordinary query', async (_what, query, limit, status) => {
    h.stack.resetCounts();
    expectRefused(await h.send({ query }), limit, status);
    expect(h.upstreamCalls()).toBe(0);
    expect(h.stack.storeQueries()).toBe(0);
    const ok = await h.send({ query: ORDINARY });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data).toMatchObject({ customers: { totalCount: 200 } });
  });

  it('reports the actual depth and cost, with first taken from variables too', async () => {
    expect((await h.send({ query: HOSTILE.depth50 })).body.errors![0]!.extensions).toMatchObject({ max: 12, actual: 50 });
    const viaVariables = await h.send({
      query: 'query($n: Int) { customers(first: $n) { edges { node { payments(first: $n) { edges { node { id } } } } } } }',
      variables: { n: 1000 },
    });
    expectRefused(viaVariables, 'cost', 400);
    expect(viaVariables.body.errors![0]!.extensions.actual).toBeGreaterThan(1_000_000);
  });

  it('counts depth through fragments, and lets Sandbox introspect', async () => {
    const spread = `query { customer(id: "cust_demo0001") { ...A } }
      fragment A on Customer { payments { edges { node { customer { ...B } } } } }
      fragment B on Customer { payments { edges { node { customer { ...C } } } } }
      fragment C on Customer { payments { edges { node { customer { id } } } } }`;
    expectRefused(await h.send({ query: spread }), 'depth', 400);
    const introspection = await h.send({ query: getIntrospectionQuery() });
    expect(introspection.body.errors).toBeUndefined();
  });

  it('refuses 31 aliases, and a document over 32 KiB, but not a long string argument inside the limits', async () => {
    const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expectRefused(await h.send({ query: aliases }), 'aliases', 400);
    const padded = `{ __typename ${' '.repeat(40_000)} }`;
    expectRefused(await h.send({ query: padded }), 'documentSize', 413);
    expect((await h.send({ query: `{ customers(first: 1, search: "${'x'.repeat(150)}") { totalCount } }` })).body.errors).toBeUndefined();
  });
});

describe('each gate alone, with the earlier ones opened', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeAll(async () => {
    h = await harness({ GRAPHQL_MAX_TOKENS: '1000000', GRAPHQL_MAX_DOCUMENT_BYTES: String(512 * 1_024), BODY_LIMIT_BYTES: String(4 * 1_048_576) });
  });
  afterAll(async () => {
    await h?.stack.stop();
  });

  it('refuses 10 000 aliases at the alias gate, before graphql-js validation runs on them', async () => {
    const a = await h.send({ query: HOSTILE.aliases10k });
    expectRefused(a, 'aliases', 400);
    expect(a.body.errors![0]!.extensions.actual).toBe(10_000);
    expect((await h.send({ query: ORDINARY })).body.errors).toBeUndefined();
  });

  it('refuses a 1 MB query at the document-size gate once the body limit lets it in', async () => {
    const a = await h.send({ query: HOSTILE.query1mb });
    expectRefused(a, 'documentSize', 413);
  });
});
