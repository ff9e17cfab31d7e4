// Query.auditChain walks the whole trail, so callers share walks: concurrent calls get one walk's
// answer, and a walk that started less than AUDIT_CHAIN_REUSE_MS ago is answered again with its
// checkedAt; after that the next call walks afresh and sees what changed meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';

const CHAIN = '{ auditChain { ok verified brokenSeq checkedAt } }';
type Chain = { auditChain: { ok: boolean; verified: number; brokenSeq: number | null; checkedAt: string } };

describe.each(BACKENDS)('audit chain walks shared by callers, on %s', { timeout: 60_000 }, (backend) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(backend, { env: { AUDIT_CHAIN_REUSE_MS: '1500' } });
    for (let i = 0; i < 3; i++) await stack.run('query Warm { customers(first: 1) { totalCount } }', {});
    expect(await stack.server.ops.writer.flush()).toBe(0);
  }, 60_000);
  afterAll(() => stack?.stop());

  const chain = async () => {
    const res = await stack.run<Chain>(CHAIN, {});
    expect(res.errors).toBeUndefined();
    return res.data!.auditChain;
  };

  it('answers concurrent and repeated calls from one walk, then walks afresh and finds a change', async () => {
    // Past any walk of the set-up: the next call walks.
    await new Promise((r) => setTimeout(r, 1_600));
    stack.resetCounts();
    const solo = await chain();
    const oneWalk = stack.storeQueries();
    expect(oneWalk).toBeGreaterThan(0);
    expect(solo.ok).toBe(true);

    stack.resetCounts();
    const again = await Promise.all([chain(), chain(), chain()]);
    expect(stack.storeQueries()).toBe(0); // within the window: no read at all
    for (const r of again) expect(r).toEqual(solo);

    const { db } = stack.connectors.store;
    const original = (await db.query<{ t: string }>('select record::text as t from audit_events where seq = 2')).rows[0]!.t;
    await db.query(`update audit_events set record = jsonb_set(record, '{outcome}', '"error"') where seq = 2`);
    try {
      expect((await chain()).ok).toBe(true); // still the walk from before the change, as checkedAt says
      await new Promise((r) => setTimeout(r, 1_600));
      stack.resetCounts();
      const [a, b] = await Promise.all([chain(), chain()]);
      expect(stack.storeQueries()).toBe(oneWalk); // two callers, one walk
      expect(a).toEqual(b);
      expect(a).toMatchObject({ ok: false, brokenSeq: 2 });
      expect(new Date(a.checkedAt).getTime()).toBeGreaterThan(new Date(solo.checkedAt).getTime());
    } finally {
      await db.query('update audit_events set record = $1::jsonb where seq = 2', [original]);
    }
  });
});
