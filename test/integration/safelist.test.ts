// Persisted operations in safelist mode, with a manifest made by GraphQL Code Generator's client
// preset (persistedDocuments, SHA-256): listed operations run by hash or by their exact text,
// everything else is refused before it is parsed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from '../../src/auth/apiKeys.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'sy-safelist-'));
const OPERATIONS = /* GraphQL */ `
  query CustomerEmail($id: ID!) {
    customer(id: $id) {
      id
      email
    }
  }
  query CustomerCount {
    customers(first: 1) {
      totalCount
    }
  }
`;

describe('persisted operations (safelist mode)', () => {
  let stack: Stack;
  let key: string;
  let manifest: Record<string, string>;
  const hashOf = (name: string) => Object.entries(manifest).find(([, body]) => body.includes(`query ${name}`))![0];

  beforeAll(async () => {
    writeFileSync(path.join(dir, 'operations.graphql'), OPERATIONS);
    await generate(
      {
        schema: path.resolve('schema/*.graphql'),
        documents: path.join(dir, 'operations.graphql'),
        generates: { [`${dir}/gql/`]: { preset: 'client', presetConfig: { persistedDocuments: { hashAlgorithm: 'sha256' } } } },
        silent: true,
      },
      true,
    );
    const file = path.join(dir, 'gql', 'persisted-documents.json');
    manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    stack = await startStack('pglite', { env: { PERSISTED_OPERATIONS_MANIFEST: file, PERSISTED_OPERATIONS_MODE: 'safelist' } });
    ({ key } = await new ApiKeys(stack.connectors.store).issue({ role: 'admin', name: 'safelist' }));
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function post(body: object) {
    const res = await stack.server.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      payload: body,
    });
    return { status: res.statusCode, body: res.json() as { data?: Record<string, unknown>; errors?: { extensions: Record<string, unknown> }[] } };
  }

  it('runs a listed operation sent by its hash alone, over POST and GET', async () => {
    // Codegen writes GraphQL over HTTP document ids (sha256:<hex>); clients may send either form.
    expect(Object.keys(manifest).every((id) => /^sha256:[0-9a-f]{64}$/.test(id))).toBe(true);
    expect(Object.keys(manifest)).toHaveLength(2);
    const persistedQuery = { version: 1, sha256Hash: hashOf('CustomerEmail') };
    const byPost = await post({ extensions: { persistedQuery }, variables: { id: 'cust_demo0001' } });
    expect(byPost.body).toEqual({ data: { customer: { id: 'cust_demo0001', email: expect.stringMatching(/@example\.com$/) } } });

    const qs = new URLSearchParams({
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hashOf('CustomerCount').replace('sha256:', '') } }),
    });
    const byGet = await stack.server.app.inject({ method: 'GET', url: `/graphql?${qs}`, headers: { 'x-api-key': key, 'apollo-require-preflight': 'true' } });
    expect(byGet.json()).toEqual({ data: { customers: { totalCount: 200 } } });
  });

  it('runs a listed operation sent as its exact text', async () => {
    const text = manifest[hashOf('CustomerCount')]!;
    expect((await post({ query: text })).body).toEqual({ data: { customers: { totalCount: 200 } } });
  });

  it('refuses anything else before parsing it: other text, the same text reformatted, unknown hashes, introspection', async () => {
    stack.resetCounts();
    const text = manifest[hashOf('CustomerCount')]!;
    const refusals = [
      await post({ query: '{ customers(first: 100) { edges { node { email } } } }' }),
      await post({ query: `${text}\n` }),
      await post({ query: 'this is not even GraphQL' }),
      await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'e'.repeat(64) } } }),
      await post({ query: '{ __schema { types { name } } }' }),
    ];
    for (const r of refusals) {
      expect(r.status).toBe(400);
      expect(r.body.data).toBeUndefined();
      expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_NOT_ALLOWED', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }
    expect(refusals.map((r) => r.body.errors![0]!.extensions.reason)).toEqual([
      'not_in_manifest',
      'not_in_manifest',
      'not_in_manifest',
      'unknown_hash',
      'not_in_manifest',
    ]);
    const upstream = stack.emulators.stripe.stats().total + stack.emulators.hubspot.stats().total + stack.emulators.openai.stats().total;
    expect(upstream).toBe(0);
    expect((await post({ query: text })).body.errors).toBeUndefined();
  });
});
