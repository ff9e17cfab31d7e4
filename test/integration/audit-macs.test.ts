// The audit trail's MACs and anchors on each store: rows written under AUDIT_HMAC_KEY carry a
// MAC, the writer anchors the chain's head in a file outside the database on a timer, and
// verifyChain uses both to catch what the hash chain alone cannot (a rewrite with every later
// hash recomputed, the newest rows removed). test/e2e/audit-tamper.test.ts does the same
// through the CLI of a started server.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/stack.ts';
import { startObserved, type Observed } from '../helpers/observed.ts';
import { verifyChain } from '../../src/plugins/audit/verify.ts';
import { chainSeal, linkHash } from '../../src/plugins/audit/chain.ts';
import { readAnchors } from '../../src/plugins/audit/anchors.ts';
import type { AuditRecord } from '../../src/connectors/store/index.ts';

const KEY = 'audit-macs-integration-key-0123456789abcdef';

describe.each(BACKENDS)('audit MACs and anchors on %s', (backend) => {
  let o: Observed;
  let file: string;

  beforeAll(async () => {
    o = await startObserved(backend, { env: { AUDIT_HMAC_KEY: KEY, AUDIT_ANCHOR_INTERVAL_MS: '1000' } });
    file = path.join(o.dataDir, 'audit-anchors.jsonl');
    for (let i = 0; i < 6; i++) await o.run('query Some { customers(first: 1) { totalCount } }');
    expect(await o.flush()).toBe(0);
    // The anchor timer runs every second: wait until it has seen the six records.
    for (let waited = 0; waited < 20_000; waited += 200) {
      if (existsSync(file) && readAnchors(file).anchors.some((a) => a.seq >= 6)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  afterAll(async () => {
    await o?.stop();
  });

  const anchors = () => readAnchors(file).anchors;
  const sql = <T>(text: string, params?: unknown[]) => o.sql<T>(text, params);

  it('MACs every row with the key and anchors the head, in the file and the log', async () => {
    const rows = await o.rows();
    expect(rows.length).toBeGreaterThanOrEqual(6);
    const seal = chainSeal(KEY);
    for (const row of rows) expect(row.mac).toBe(seal(row.seq, row.hash));
    const [anchor] = anchors().filter((a) => a.seq >= 6);
    expect(anchor).toBeDefined();
    expect(anchor!.hash).toBe(rows.find((r) => r.seq === anchor!.seq)!.hash);
    expect(o.logs().some((l) => l.includes('"msg":"audit anchor"') && l.includes(anchor!.hash))).toBe(true);
    expect(await verifyChain(o.store.audit, { key: KEY, anchors: anchors() })).toMatchObject({
      ok: true,
      macsChecked: rows.length,
      anchorsChecked: anchors().length,
    });
    expect(await verifyChain(o.store.audit, { key: 'another-key-of-more-than-thirty-two-chars' })).toMatchObject({
      ok: false,
      broken: { seq: 1, reason: expect.stringContaining('MAC does not match') },
    });

    // A MAC removed is caught; rows from before the key was set are allowed only when the operator says so.
    await sql('update audit_events set mac = null where seq <= 2');
    expect(await verifyChain(o.store.audit, { key: KEY })).toMatchObject({ ok: false, broken: { seq: 1, reason: expect.stringContaining('has no MAC') } });
    expect(await verifyChain(o.store.audit, { key: KEY, macsFrom: 3 })).toMatchObject({ ok: true, macsChecked: rows.length - 2 });
    for (const row of rows.filter((r) => r.seq <= 2)) await sql('update audit_events set mac = $1 where seq = $2', [row.mac, row.seq]);
  });

  it('catches a row rewritten with every later hash recomputed, and the newest rows removed', async () => {
    const saved = await sql<{ seq: number; record: AuditRecord; prev_hash: string; hash: string }>(
      'select seq::int as seq, record, prev_hash, hash from audit_events order by seq',
    );
    let prev = saved.find((r) => r.seq === 2)!.prev_hash;
    for (const row of saved.filter((r) => r.seq >= 2)) {
      const record = row.seq === 2 ? { ...row.record, durationMs: 0.1 } : row.record;
      const hash = linkHash(prev, row.seq, record);
      await sql('update audit_events set record = $1::jsonb, prev_hash = $2, hash = $3 where seq = $4', [JSON.stringify(record), prev, hash, row.seq]);
      prev = hash;
    }
    expect(await verifyChain(o.store.audit)).toMatchObject({ ok: true });
    expect(await verifyChain(o.store.audit, { key: KEY, anchors: anchors() })).toMatchObject({
      ok: false,
      broken: { seq: 2, reason: expect.stringContaining('MAC does not match') },
    });
    const covering = Math.min(
      ...anchors()
        .map((a) => a.seq)
        .filter((s) => s >= 2),
    );
    expect(await verifyChain(o.store.audit, { anchors: anchors() })).toMatchObject({
      ok: false,
      broken: { seq: covering, reason: expect.stringContaining('differs from the anchor') },
    });
    for (const row of saved)
      await sql('update audit_events set record = $1::jsonb, prev_hash = $2, hash = $3 where seq = $4', [
        JSON.stringify(row.record),
        row.prev_hash,
        row.hash,
        row.seq,
      ]);
    expect((await verifyChain(o.store.audit, { key: KEY, anchors: anchors() })).ok).toBe(true);

    const last = Math.max(...anchors().map((a) => a.seq));
    await sql('delete from audit_events where seq >= $1', [last - 1]);
    expect(await verifyChain(o.store.audit, { key: KEY })).toMatchObject({ ok: true });
    expect(await verifyChain(o.store.audit, { key: KEY, anchors: anchors() })).toMatchObject({
      ok: false,
      broken: { seq: last - 1, reason: expect.stringContaining('newest records were removed') },
    });
  });
});
