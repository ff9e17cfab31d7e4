// Persisted-operation manifests in the three formats, and how requests are resolved against one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GraphQLRequest } from '@apollo/server';
import { ConfigError } from '../../src/config.ts';
import { loadManifest, parseManifest, resolvePersisted, sha256 } from '../../src/plugins/safelist/index.ts';

const Q = 'query One { customer(id: "cust_demo0001") { id } }';
const H = sha256(Q);

describe('parseManifest', () => {
  it("reads GraphQL Code Generator's { hash: body }, Apollo's manifest, and a list of hashes", () => {
    expect(parseManifest({ [H]: Q }).bodies.get(H)).toBe(Q);
    const apollo = parseManifest({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: H, name: 'One', type: 'query', body: Q }] });
    expect(apollo.bodies.get(H)).toBe(Q);
    const list = parseManifest([`sha256:${H.toUpperCase()}`]);
    expect([...list.hashes]).toEqual([H]);
    expect(list.bodies.size).toBe(0);
  });

  it('refuses an entry whose body does not hash to its id, or an id that is not SHA-256', () => {
    const sha1 = 'a'.repeat(40);
    expect(() => parseManifest({ [sha1]: Q })).toThrow(ConfigError);
    expect(() => parseManifest({ [sha256('other')]: Q })).toThrow(/does not hash to it with SHA-256/);
    expect(() => parseManifest({ format: 'apollo-persisted-query-manifest', version: 2, operations: [] })).toThrow(/not a persisted-operations manifest/);
  });
});

describe('loadManifest', () => {
  it('stops startup with a message naming PERSISTED_OPERATIONS_MANIFEST when the file is missing or not JSON', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sy-manifest-'));
    expect(() => loadManifest(path.join(dir, 'missing.json'))).toThrow(/PERSISTED_OPERATIONS_MANIFEST: cannot read .*ENOENT/);
    writeFileSync(path.join(dir, 'bad.json'), '{ nope');
    expect(() => loadManifest(path.join(dir, 'bad.json'))).toThrow(/PERSISTED_OPERATIONS_MANIFEST: .* is not JSON/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('resolvePersisted', () => {
  const manifest = parseManifest({ [H]: Q });
  const req = (r: Partial<GraphQLRequest>): GraphQLRequest => ({ ...r });

  it('runs a listed hash from the manifest, without Apollo APQ seeing it', () => {
    const r = req({ extensions: { persistedQuery: { version: 1, sha256Hash: H }, other: 1 } });
    expect(resolvePersisted(r, manifest, 'safelist')).toBeUndefined();
    expect(r.query).toBe(Q);
    expect(r.extensions).toEqual({ other: 1 });
  });

  it('in safelist mode refuses unknown hashes and unlisted text, replacing the text so it is never parsed', () => {
    const unknown = req({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    expect(resolvePersisted(unknown, manifest, 'safelist')?.extensions).toMatchObject({ code: 'OPERATION_NOT_ALLOWED', reason: 'unknown_hash' });
    const text = req({ query: '{ customers { totalCount } }' });
    expect(resolvePersisted(text, manifest, 'safelist')?.extensions).toMatchObject({ code: 'OPERATION_NOT_ALLOWED', reason: 'not_in_manifest' });
    expect(text.query).not.toContain('customers');
    expect(resolvePersisted(req({ query: Q }), manifest, 'safelist')).toBeUndefined();
  });

  it('in accept mode lets other operations through untouched', () => {
    const text = req({ query: '{ customers { totalCount } }' });
    expect(resolvePersisted(text, manifest, 'accept')).toBeUndefined();
    expect(text.query).toBe('{ customers { totalCount } }');
    const unknown = req({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    expect(resolvePersisted(unknown, manifest, 'accept')).toBeUndefined();
    expect(unknown.extensions?.persistedQuery).toBeDefined();
  });
});
