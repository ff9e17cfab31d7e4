// A record is serialised once: the bytes spooled, hashed and inserted are the canonical form
// verification recomputes from the row as read back, so rows written before and after hash alike.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/connectors/store/index.ts';
import { canonicalJson, linkHash, sanitizeForJsonb, serializeRecord } from '../../src/plugins/audit/chain.ts';

const base: AuditRecord = {
  v: 1,
  id: 'a1',
  kind: 'operation',
  at: '2026-12-02T10:00:00.000Z',
  requestId: 'req-1',
  principal: { id: 'key:1', role: 'admin', via: 'api-key', keyId: 'k1' },
  client: { name: null, version: null },
  operation: { type: 'query', name: 'Get', hash: 'ab' },
  outcome: 'ok',
  variables: { z: [1, { y: 2, x: undefined }, undefined], a: 'x', n: 0.1 + 0.2, big: 1e21 },
  calls: [{ connector: 'stripe', operation: 'list', attempts: 1, outcome: 'ok', latencyMs: 1.5, cacheHit: false, stale: false }],
  ai: [],
  errors: [],
  durationMs: 3.2,
  http: { method: 'POST', status: 200 },
  alert: null,
};

const oldWay = (r: AuditRecord) => canonicalJson(sanitizeForJsonb(r));

describe('serializeRecord', () => {
  it('writes exactly the canonical JSON the chain has always hashed', () => {
    const { json, record } = serializeRecord(base);
    expect(json).toBe(oldWay(base));
    expect(record).toBe(base);
    expect(canonicalJson(JSON.parse(json))).toBe(json);
    expect(linkHash('0'.repeat(64), 1, json)).toBe(linkHash('0'.repeat(64), 1, base));
  });

  it('makes what jsonb cannot store storable, in the text and in the record it hands on', () => {
    const odd = { ...base, variables: { s: 'a\u0000b\ud800', ok: 'é \u{1F600} "q" \\u', nan: Number.NaN, inf: -Infinity, ctl: '\u0001' } };
    const { json, record } = serializeRecord(odd);
    expect(json).toBe(oldWay(odd));
    expect(record).toEqual(sanitizeForJsonb(odd));
    expect(record.variables).toMatchObject({ s: 'a\uFFFDb\uFFFD', nan: null, ctl: '\u0001' });
  });

  it('takes the careful path for keys that need replacing', () => {
    const keys = { ...base, variables: { 'k\u0000': 1, 'k\uFFFD': 2, plain: { 'x\ud800': true } } };
    const { json, record } = serializeRecord(keys);
    expect(json).toBe(oldWay(keys));
    expect(canonicalJson(record)).toBe(json);
  });
});

describe('linkHash', () => {
  it('hashes exactly the text "prev \\n seq \\n record", as rows already written were hashed', () => {
    const prev = 'ab'.repeat(32);
    for (const json of ['{}', '{"v":"é ✓ \u{1D11E} \\u0000 \\n"}', 'x'.repeat(10_000)]) {
      const joined = createHash('sha256').update(`${prev}\n${7}\n${json}`).digest('hex');
      expect(linkHash(prev, 7, json)).toBe(joined);
    }
  });
});
