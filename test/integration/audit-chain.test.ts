// The audit trail as an operator reads it: auditEvents (filters, paging, totalCount, audit:read
// only), and the hash chain that `audit verify` walks, which names the first tampered record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, TEST_ADMIN } from '../helpers/stack.ts';
import { startObserved, type Observed } from '../helpers/observed.ts';
import { verifyChain } from '../../src/plugins/audit/verify.ts';
import { linkHash } from '../../src/plugins/audit/chain.ts';
import { FaultController } from '../../src/emulators/faults.ts';

const EVENTS = `query Events($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { seq kind outcome operationName principalId errorCodes calls { connector outcome } hash prevHash } }
  }
}`;

interface Events {
  auditEvents: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string };
    edges: { node: { seq: string; kind: string; outcome: string; operationName: string | null; principalId: string | null; calls: { connector: string }[] } }[];
  };
}

describe.each(BACKENDS)('audit chain and auditEvents on %s', (backend) => {
  let o: Observed;
  let started: Date;

  beforeAll(async () => {
    o = await startObserved(backend);
    started = new Date();
    for (let i = 0; i < 6; i++) await o.run('query Many { customers(first: 1) { totalCount } }');
    await o.run('query Pay { payment(id: "pi_demo000101") { id } }');
    o.emulators.hubspot.faults.set(FaultController.parse({ status: 400 }));
    await o.run('query Contact { crmContact(id: "1003") { id } }');
    o.emulators.hubspot.faults.clear();
    await o.run('{ nope }');
    expect(await o.flush()).toBe(0);
  });

  afterAll(async () => {
    await o?.stop();
  });

  const events = async (variables: Record<string, unknown>) => {
    const res = await o.run(EVENTS, variables, TEST_ADMIN, `q-${Math.random()}`);
    expect(res.errors).toBeUndefined();
    return (res.data as unknown as Events).auditEvents;
  };

  it('filters by operation, connector, outcome, principal and time, newest first', async () => {
    expect((await events({ filter: { operationName: 'Many' } })).totalCount).toBe(6);
    const stripe = await events({ filter: { connector: 'stripe' } });
    expect(stripe.edges.map((e) => e.node.operationName)).toEqual(['Pay']);
    expect((await events({ filter: { connector: 'hubspot', outcome: 'PARTIAL' } })).edges.map((e) => e.node.operationName)).toEqual(['Contact']);
    expect((await events({ filter: { outcome: 'INVALID' } })).totalCount).toBe(1);
    expect((await events({ filter: { principalId: 'test-admin', from: started.toISOString() } })).totalCount).toBeGreaterThanOrEqual(9);
    expect((await events({ filter: { to: started.toISOString() } })).totalCount).toBe(0);
    const all = await events({ first: 100 });
    const seqs = all.edges.map((e) => Number(e.node.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
  });

  it('pages with a cursor and keeps totalCount', async () => {
    const first = await events({ filter: { operationName: 'Many' }, first: 4 });
    expect(first.edges).toHaveLength(4);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await events({ filter: { operationName: 'Many' }, first: 4, after: first.pageInfo.endCursor });
    expect(second.edges).toHaveLength(2);
    expect(second.totalCount).toBe(6);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const bad = await o.run(EVENTS, { after: 'not-a-cursor' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('is refused without audit:read', async () => {
    const res = await o.post({ query: EVENTS }, { 'x-api-key': o.keys.operator });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await o.post({ query: EVENTS });
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('stores a batch of records with quotes, backslashes, non-ASCII and control characters as hashed', async () => {
    const odd = ['say "hi"', 'back\\slash \\" and \\u0041', 'é ü 中文 😀', 'tab\tline\nbell\u0007', 'nul\u0000 and a lone \ud800 half'];
    // Sent together, so the writer takes them in one batch.
    await Promise.all(odd.map((id, i) => o.run('query Odd($id: ID!) { customer(id: $id) { id } }', { id }, TEST_ADMIN, `odd-${i}`)));
    expect(await o.flush()).toBe(0);
    expect((await verifyChain(o.store.audit)).ok).toBe(true);
    const stored = (await o.store.audit.scan(0, 1_000)).filter((r) => r.record.operation?.name === 'Odd');
    const ids = stored.map((r) => (r.record.variables as { id?: string } | undefined)?.id).sort();
    // What jsonb cannot hold (NUL, the lone surrogate) is replaced; everything else is as sent.
    expect(ids).toEqual(odd.map((id) => id.replaceAll('\u0000', '\uFFFD').replaceAll('\ud800', '\uFFFD')).sort());
  });

  it('verifies an intact chain, then names the first tampered, removed or relinked record', async () => {
    await o.flush();
    const intact = await verifyChain(o.store.audit, { pageSize: 4 });
    expect(intact.ok).toBe(true);
    const total = intact.verified;
    expect(total).toBeGreaterThanOrEqual(9);

    const record = (await o.sql<{ record: unknown }>('select record from audit_events where seq = 3'))[0]!.record;
    await o.sql(`update audit_events set record = jsonb_set(record, '{outcome}', '"error"') where seq = 3`);
    const altered = await verifyChain(o.store.audit, { pageSize: 4 });
    expect(altered).toMatchObject({ ok: false, verified: 2, broken: { seq: 3, reason: expect.stringContaining('altered') } });
    await o.sql('update audit_events set record = $1::jsonb where seq = 3', [JSON.stringify(record)]);
    expect((await verifyChain(o.store.audit)).ok).toBe(true);

    // Rewritten together with its own hash: the break shows at the next record's link.
    const row = (await o.store.audit.scan(3, 1))[0]!;
    const forged = { ...row.record, outcome: 'denied' as const };
    await o.sql(`update audit_events set record = $1::jsonb, outcome = 'denied', hash = $2 where seq = 4`, [
      JSON.stringify(forged),
      linkHash(row.prevHash, 4, forged),
    ]);
    expect(await verifyChain(o.store.audit)).toMatchObject({ ok: false, broken: { seq: 5, reason: expect.stringContaining('link does not match') } });
    await o.sql('update audit_events set record = $1::jsonb, outcome = $2, hash = $3 where seq = 4', [
      JSON.stringify(row.record),
      row.record.outcome,
      row.hash,
    ]);

    await o.sql(`update audit_events set principal_id = 'someone-else' where seq = 6`);
    expect(await verifyChain(o.store.audit)).toMatchObject({ ok: false, broken: { seq: 6, reason: expect.stringContaining('principalId') } });
    await o.sql(`update audit_events set principal_id = 'test-admin' where seq = 6`);

    await o.sql('delete from audit_events where seq = 7');
    expect(await verifyChain(o.store.audit)).toMatchObject({
      ok: false,
      verified: 6,
      broken: { seq: 8, reason: expect.stringContaining('record 7 is missing') },
    });
  });
});
