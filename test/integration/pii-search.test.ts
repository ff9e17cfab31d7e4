// Personal data never leaks through the arguments of a connection: searching customers needs
// pii:read (it matches email and name), and every cursor is sealed, so a hand-made one cannot
// pin a row for a search to probe. The first test replays the attack that recovered an email
// with an app key: a forged cursor pinning one customer, and aliased searches guessing the
// email one character at a time, with the page telling whether the pinned row matched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/stack.ts';
import { startObserved, type Observed } from '../helpers/observed.ts';
import { ApiKeys } from '../../src/auth/apiKeys.ts';

type Errors = { message: string; extensions?: Record<string, unknown> }[] | undefined;

const CHARSET = 'abcdefghijklmnopqrstuvwxyz0123456789.-_+@';
const ALIASES_PER_REQUEST = 29;

/** The cursor format before cursors were sealed: base64url of [createdAt, id]. */
const forgedCursor = (createdAt: string, id: string) =>
  Buffer.from(JSON.stringify([new Date(Date.parse(createdAt) + 1).toISOString(), id])).toString('base64url');

describe.each(BACKENDS)('PII through search, filters and cursors on %s', (backend) => {
  let o: Observed;
  let appWithPii: string;

  beforeAll(async () => {
    o = await startObserved(backend, { env: { LOG_LEVEL: 'silent' } });
    appWithPii = (await new ApiKeys(o.store).issue({ role: 'app', name: 'app with pii', scopes: ['pii:read'] })).key;
  }, 180_000);

  afterAll(async () => {
    await o?.stop();
  });

  const gql = async (key: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await o.post({ query, variables }, { 'x-api-key': key });
    return res.body as { data?: Record<string, unknown> | null; errors?: Errors };
  };

  it('an app key without pii:read learns nothing of an email with a forged cursor and aliased searches', async () => {
    const target = (await gql(o.keys.admin, '{ customer(id: "cust_demo0005") { id email createdAt } }')).data!.customer as {
      id: string;
      email: string;
      createdAt: string;
    };
    const cursor = forgedCursor(target.createdAt, target.id);

    // The oracle: does the row the cursor pins match this search?
    let requests = 0;
    const refusals: Errors = [];
    const matching = async (candidates: string[]): Promise<string | undefined> => {
      for (let i = 0; i < candidates.length; i += ALIASES_PER_REQUEST) {
        const chunk = candidates.slice(i, i + ALIASES_PER_REQUEST);
        const fields = chunk.map((s, j) => `a${j}: customers(first: 1, after: $after, search: ${JSON.stringify(s)}) { edges { node { id } } }`);
        requests++;
        const res = await gql(o.keys.app, `query Probe($after: String) { ${fields.join(' ')} }`, { after: cursor });
        refusals.push(...(res.errors ?? []));
        const hit = chunk.findIndex((_, j) => (res.data?.[`a${j}`] as { edges: { node: { id: string } }[] } | undefined)?.edges[0]?.node.id === target.id);
        if (hit >= 0) return chunk[hit];
      }
      return undefined;
    };

    let known = '@';
    for (let step = 0; step < 40; step++) {
      const next = (await matching([...CHARSET].map((c) => known + c))) ?? (await matching([...CHARSET].map((c) => c + known)));
      if (!next) break;
      known = next;
    }
    console.info(`[pii-search] ${backend}: ${requests} requests, learned ${JSON.stringify(known)} (target ${target.email.length} characters)`);

    expect(known).toBe('@');
    expect(refusals.length).toBeGreaterThan(0);
    for (const e of refusals) {
      expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: ['pii:read'], argument: 'search' });
      expect(JSON.stringify(e)).not.toContain(target.email);
    }
    // Without a search the forged cursor pins nothing either: it is not one the server sealed.
    const pinned = await gql(o.keys.app, 'query($after: String) { customers(first: 1, after: $after) { edges { node { id } } } }', { after: cursor });
    expect(pinned.data).toBeNull();
    expect(pinned.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('refuses search without pii:read whatever it holds, so neither totalCount nor timing can tell a match', async () => {
    for (const search of ['ada', 'zz-no-such-person', '', '%']) {
      const res = await gql(o.keys.app, 'query($s: String) { customers(first: 1, search: $s) { totalCount } }', { s: search });
      expect(res.data, search).toBeNull();
      expect(res.errors?.[0]?.message).toBe('Query.customers(search:) matches personal data and needs scope pii:read');
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: ['pii:read'], argument: 'search' });
    }
    const plain = await gql(o.keys.app, '{ customers(first: 1) { totalCount } }');
    expect(plain.data).toEqual({ customers: { totalCount: 200 } });
  });

  it('with pii:read, search pages through sealed cursors, and a cursor is good only for the search it came from', async () => {
    const page = async (search: string | null, after: string | null) => {
      const res = await gql(
        appWithPii,
        'query($s: String, $a: String) { customers(first: 3, search: $s, after: $a) { totalCount edges { node { email } } pageInfo { endCursor hasNextPage } } }',
        { s: search, a: after },
      );
      return res;
    };
    const first = await page('lovelace', null);
    expect(first.errors).toBeUndefined();
    const conn = first.data!.customers as { totalCount: number; edges: { node: { email: string } }[]; pageInfo: { endCursor: string } };
    expect(conn.totalCount).toBeGreaterThan(3);
    const second = await page('lovelace', conn.pageInfo.endCursor);
    const next = (second.data!.customers as typeof conn).edges.map((e) => e.node.email);
    expect(next.length).toBeGreaterThan(0);
    expect(next.every((e) => e.includes('lovelace') && !conn.edges.some((x) => x.node.email === e))).toBe(true);

    for (const [search, after] of [
      ['hopper', conn.pageInfo.endCursor],
      [null, conn.pageInfo.endCursor],
      ['lovelace', `${conn.pageInfo.endCursor.slice(0, -2)}AA`],
    ] as const) {
      const res = await page(search, after);
      expect(res.data).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
      expect(res.errors?.[0]?.message).toBe('after is not a cursor this connection issued for these arguments');
    }
  });

  it("seals payments cursors to their customer: a payment id or another customer's cursor is BAD_USER_INPUT", async () => {
    const payments = (id: string, after: string | null) =>
      gql(
        o.keys.app,
        'query($id: ID!, $a: String) { customer(id: $id) { payments(first: 1, after: $a) { edges { cursor node { id } } pageInfo { endCursor } } } }',
        { id, a: after },
      );
    const own = (await payments('cust_demo0005', null)).data!.customer as { payments: { edges: { node: { id: string } }[]; pageInfo: { endCursor: string } } };
    const next = await payments('cust_demo0005', own.payments.pageInfo.endCursor);
    expect(next.errors).toBeUndefined();
    const nextId = (next.data!.customer as typeof own).payments.edges[0]?.node.id;
    expect(nextId).toMatch(/^pi_/);
    expect(nextId).not.toBe(own.payments.edges[0]!.node.id);

    for (const [id, after] of [
      ['cust_demo0005', own.payments.edges[0]!.node.id],
      ['cust_demo0008', own.payments.pageInfo.endCursor],
    ] as const) {
      const res = await payments(id, after);
      expect((res.data!.customer as { payments: unknown }).payments).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });

  it('seals auditEvents cursors to their filter', async () => {
    for (let i = 0; i < 3; i++) await gql(o.keys.admin, 'query Seen { customers(first: 1) { totalCount } }');
    await o.flush();
    const events = (filter: Record<string, unknown>, after: string | null) =>
      gql(
        o.keys.admin,
        'query($f: AuditEventFilter, $a: String) { auditEvents(filter: $f, first: 1, after: $a) { edges { node { seq } } pageInfo { endCursor } } }',
        { f: filter, a: after },
      );
    const first = (await events({ operationName: 'Seen' }, null)).data!.auditEvents as { edges: { node: { seq: string } }[]; pageInfo: { endCursor: string } };
    const second = await events({ operationName: 'Seen' }, first.pageInfo.endCursor);
    expect(second.errors).toBeUndefined();
    const forged = Buffer.from(`a:${Number(first.edges[0]!.node.seq) + 1000}`).toString('base64url');
    for (const [filter, after] of [
      [{ operationName: 'Other' }, first.pageInfo.endCursor],
      [{ operationName: 'Seen' }, forged],
    ] as const) {
      const res = await events(filter, after);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });
});
