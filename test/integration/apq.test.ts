// Anonymous memory pressure, over HTTP (Fastify inject, the real routes and plugins): automatic
// persisted queries live in a store of their own bounded in bytes, so registering many large
// documents never evicts the pipeline's cached reads; comments count toward the token limit,
// and an oversized text is refused before it is parsed.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_STORES, startStack, type Stack } from '../helpers/stack.ts';
import { DOCUMENT_STORE_MAX_BYTES } from '../../src/plugins/limits/documentStore.ts';

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const READ = '{ customer(id: "cust_demo0041") { payments(first: 3) { edges { node { id } } } } }';
const APQ_BYTES = 1_048_576;

describe.each(SHARED_STORES)('persisted queries and document limits (shared state in %s)', (shared) => {
  let stack: Stack;
  let send: (payload: object) => Promise<Answer>;

  beforeAll(async () => {
    // The read cache's smallest size (under the old shared store, 100 registrations evicted every
    // read), and reads that stay fresh however slowly a loaded machine registers 300 documents.
    const policy = path.join(mkdtempSync(path.join(tmpdir(), 'sy-apq-')), 'policy.json');
    writeFileSync(policy, JSON.stringify({ stripe: { cacheTtlMs: 600_000, operations: { 'paymentIntents.search': { cacheTtlMs: 600_000 } } } }));
    const env = { CACHE_MAX_ENTRIES: '100', APQ_CACHE_MAX_BYTES: String(APQ_BYTES), POLICY_FILE: policy };
    stack = await startStack('pglite', { shared, env });
    send = async (payload) => {
      const res = await stack.server.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
      return { status: res.statusCode, body: res.json() };
    };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('registers many large documents from an anonymous caller without evicting a cached read, within its byte bound', async () => {
    expect((await stack.run(READ)).errors).toBeUndefined();
    stack.resetCounts();
    expect((await stack.run(READ)).errors).toBeUndefined();
    expect(stack.emulators.stripe.stats().total).toBe(0);

    const documents: string[] = [];
    for (let i = 0; i < 300; i++) {
      // 20 KB each: one long string argument keeps it far inside the token and size limits.
      const query = `query Padded${i} { customers(first: 1, search: "${String(i).padStart(20_000, 'x')}") { totalCount } }`;
      documents.push(query);
      const res = await send({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const held = stack.server.apq.size();
    console.info(
      `[apq] ${shared}: 300 documents of 20 KB registered (6 MB sent); APQ store holds ${held === -1 ? 'n/a (Redis)' : `${held} bytes`} (bound ${APQ_BYTES})`,
    );
    if (shared === 'memory') {
      expect(held).toBeGreaterThan(APQ_BYTES / 2);
      expect(held).toBeLessThanOrEqual(APQ_BYTES);
    }

    stack.resetCounts();
    expect((await stack.run(READ)).errors).toBeUndefined();
    expect(stack.emulators.stripe.stats().total).toBe(0);

    // The newest registration answers by hash alone; in memory the oldest made room for it.
    const last = documents.at(-1)!;
    const byHash = await send({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(last) } } });
    expect(byHash.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const first = await send({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(documents[0]!) } } });
    expect(first.body.errors?.[0]?.extensions?.code).toBe(shared === 'memory' ? 'PERSISTED_QUERY_NOT_FOUND' : 'UNAUTHENTICATED');
  });

  it.runIf(shared === 'redis')('keeps registrations under their own Redis prefix, with a TTL and a size cap', async () => {
    const query = '{ __typename }';
    await send({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
    const redis = stack.connectors.redis!;
    const ttl = await redis.pttl(`apq:apq:${sha256(query)}`);
    expect(ttl).toBeGreaterThan(86_000_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000);
    expect(await redis.keys('cache:*apq*')).toEqual([]);
    await stack.server.apq.set('apq:too-big', 'x'.repeat(stack.config.graphql.limits.maxDocumentBytes + 1));
    expect(await stack.server.apq.get('apq:too-big')).toBeUndefined();
  });

  it('counts comments toward the token limit: a small document padded with comments is refused, and not registered', async () => {
    const query = `${'#\n'.repeat(3_500)}{ __typename }`;
    expect(Buffer.byteLength(query)).toBeLessThan(stack.config.graphql.limits.maxDocumentBytes);
    const refused = await send({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'tokens', max: 3_000, actual: 3_503 });
    const byHash = await send({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
    expect(byHash.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    // Through executeOperation (no HTTP gate) the same limit holds.
    expect((await stack.run(query)).errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'tokens' });
    // Comments a document normally carries are fine.
    expect((await send({ query: '# a comment\n{ __typename } # and another' })).body.errors).toBeUndefined();
  });

  it('keeps parsed documents within their bound, however many comments each carries', async () => {
    for (let i = 0; i < 150; i++) {
      // 2 994 tokens with the comments: inside the limit, and 272 KB of heap once parsed.
      const res = await send({ query: `#${i}\n${'#\n'.repeat(2_990)}{ __typename }` });
      expect(res.body.errors).toBeUndefined();
    }
    const held = stack.server.documents.size();
    console.info(
      `[documents] ${shared}: 150 documents of 2 991 comments parsed; cache holds an estimated ${(held / 1_048_576).toFixed(1)} MiB (bound ${DOCUMENT_STORE_MAX_BYTES / 1_048_576} MiB)`,
    );
    expect(held).toBeGreaterThan(DOCUMENT_STORE_MAX_BYTES / 2);
    expect(held).toBeLessThanOrEqual(DOCUMENT_STORE_MAX_BYTES);
  });

  it('refuses a text over the document size before parsing it, whatever pads it', async () => {
    for (const pad of ['#'.repeat(40_000), ' '.repeat(40_000), ','.repeat(40_000)]) {
      const res = await send({ query: `{ __typename ${pad}\n}` });
      expect(res.status).toBe(413);
      expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'documentSize', max: 32_768 });
    }
  });
});
