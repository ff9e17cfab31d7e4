// The store against embedded PGlite always, and against real Postgres when DATABASE_URL is set
// (in a fresh schema per file, so test files can run in parallel on one database).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedCustomers } from '../../src/demo/seed.ts';
import { openDb, type Db } from '../../src/connectors/store/db.ts';
import { loadMigrations } from '../../src/connectors/store/migrate.ts';
import { seedDemoCustomers } from '../../src/demo/store.ts';
import { StoreConflictError, StoreInputError, createStore, openStore, type CustomerRecord, type Store } from '../../src/connectors/store/index.ts';

const url = process.env.DATABASE_URL;
const freshSchema = () => `sy_test_${randomBytes(6).toString('hex')}`;
const seed = seedCustomers(200);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records every statement sent outside transactions, to check "one statement" claims. */
function counting(db: Db): { db: Db; statements: string[] } {
  const statements: string[] = [];
  const wrapped: Db = {
    kind: db.kind,
    query: (text, params) => (statements.push(text), db.query(text, params)),
    exec: (sql) => (statements.push(sql), db.exec(sql)),
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
  };
  return { db: wrapped, statements };
}

interface Backend {
  name: string;
  skip: boolean;
  open(): Promise<{ db: Db; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'pglite (in-memory)',
    skip: false,
    open: async () => ({ db: await openDb({}), cleanup: async () => {} }),
  },
  {
    name: url ? 'postgres (DATABASE_URL)' : 'postgres — skipped: DATABASE_URL is not set',
    skip: !url,
    open: async () => {
      const schema = freshSchema();
      return {
        db: await openDb({ databaseUrl: url, schema }),
        cleanup: () => dropSchema(schema),
      };
    },
  },
];

async function dropSchema(schema: string): Promise<void> {
  const admin = await openDb({ databaseUrl: url });
  try {
    await admin.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await admin.close();
  }
}

async function walk(store: Store, first: number, search?: string) {
  const ids: string[] = [];
  const pages: { hasNextPage: boolean; totalCount: number }[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 1_000; guard++) {
    const page = await store.customers.list({ first, after, search });
    ids.push(...page.edges.map((e) => e.node.id));
    pages.push({ hasNextPage: page.hasNextPage, totalCount: page.totalCount });
    if (!page.hasNextPage) break;
    after = page.edges.at(-1)!.cursor;
  }
  return { ids, pages };
}

for (const backend of backends) {
  describe.skipIf(backend.skip)(`store on ${backend.name}`, () => {
    let db: Db;
    let statements: string[];
    let store: Store;
    let cleanup: () => Promise<void>;
    let firstMigration: string[];

    beforeAll(async () => {
      const opened = await backend.open();
      cleanup = opened.cleanup;
      ({ db, statements } = counting(opened.db));
      store = createStore(db);
      firstMigration = await store.migrate();
    }, 60_000);

    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    beforeEach(async () => {
      await db.query('truncate customers');
      statements.length = 0;
    });

    it('migrates once: a second run applies nothing', async () => {
      const all = (await loadMigrations()).map((m) => m.version);
      expect(all[0]).toBe('001_init');
      expect(firstMigration).toEqual(all);
      expect(await store.migrate()).toEqual([]);
    });

    it('seeds the demo customers once', async () => {
      expect(await seedDemoCustomers(store)).toBe(200);
      expect(await seedDemoCustomers(store)).toBe(0);
      const [c] = await store.customers.byIds(['cust_demo0007']);
      const s = seed[6]!;
      expect(c).toEqual<CustomerRecord>({
        id: s.id,
        email: s.email,
        name: `${s.firstName} ${s.lastName}`,
        createdAt: new Date(s.created * 1000),
        paymentsCustomerId: s.paymentsId,
        crmContactId: s.crmId,
        linkStatus: 'linked',
        linkError: null,
        crmLifecycleStage: s.lifecycleStage,
      });
    });

    it('loads by ids in one statement, in key order, null for missing', async () => {
      await seedDemoCustomers(store);
      statements.length = 0;
      const got = await store.customers.byIds(['cust_demo0005', 'missing', 'cust_demo0001', 'cust_demo0005']);
      expect(got.map((c) => c?.id ?? null)).toEqual(['cust_demo0005', null, 'cust_demo0001', 'cust_demo0005']);
      const byStripe = await store.customers.byPaymentsIds([seed[9]!.paymentsId, 'cus_nope', seed[2]!.paymentsId]);
      expect(byStripe.map((c) => c?.id ?? null)).toEqual([seed[9]!.id, null, seed[2]!.id]);
      const byCrm = await store.customers.byCrmIds(['0', seed[199]!.crmId]);
      expect(byCrm.map((c) => c?.id ?? null)).toEqual([null, seed[199]!.id]);
      expect(statements).toHaveLength(3);
      expect(await store.customers.byIds([])).toEqual([]);
      expect((await store.customers.byEmail(seed[3]!.email.toUpperCase()))?.id).toBe(seed[3]!.id);
      expect(await store.customers.byEmail('nobody@example.com')).toBeNull();
    });

    it('walks all 200 seeded customers exactly once in pages of 7', async () => {
      await seedDemoCustomers(store);
      statements.length = 0;
      const { ids, pages } = await walk(store, 7);
      const expected = [...seed].sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1)).map((c) => c.id);
      expect(ids).toEqual(expected);
      expect(pages).toHaveLength(Math.ceil(200 / 7));
      expect(pages.at(-1)!.hasNextPage).toBe(false);
      expect(pages.slice(0, -1).every((p) => p.hasNextPage)).toBe(true);
      expect(pages.every((p) => p.totalCount === 200)).toBe(true);
      expect(statements).toHaveLength(pages.length);
    });

    it('pages exactly through rows created in the same millisecond, and through fresh inserts', async () => {
      await db.query(
        `insert into customers (id, email, link_status, created_at)
         select 'tie_' || i, 'tie' || i || '@example.com', 'linked', '2026-02-01T00:00:00.123Z'
         from generate_series(1, 10) i`,
      );
      for (let i = 0; i < 8; i++) await store.customers.insert({ id: `new_${i}`, email: `new${i}@example.com`, name: null });
      const { ids, pages } = await walk(store, 3);
      expect(new Set(ids).size).toBe(18);
      expect(ids).toHaveLength(18);
      expect(pages.at(-1)!.hasNextPage).toBe(false);
      // Sub-millisecond timestamps would make cursors lossy; the schema refuses them.
      await expect(
        db.query(`insert into customers (id, email, link_status, created_at) values ('x', 'x@example.com', 'linked', '2026-01-01T00:00:00.123456Z')`),
      ).rejects.toThrow(/customers_created_at_ms/);
    });

    it('searches email and name case-insensitively, with % and _ taken literally', async () => {
      await seedDemoCustomers(store);
      const matches = (q: string) =>
        seed.filter((c) => c.email.includes(q.toLowerCase()) || `${c.firstName} ${c.lastName}`.toLowerCase().includes(q.toLowerCase()));
      for (const q of ['ADA', 'lovelace', '.knuth.1', 'berners-l']) {
        const { ids, pages } = await walk(store, 4, q);
        expect(ids.sort(), q).toEqual(
          matches(q)
            .map((c) => c.id)
            .sort(),
        );
        expect(
          pages.every((p) => p.totalCount === matches(q).length),
          q,
        ).toBe(true);
      }
      expect((await store.customers.list({ first: 5, search: '%' })).totalCount).toBe(0);
      await store.customers.insert({ id: 'promo', email: 'promo@example.com', name: '100%_off' });
      for (const q of ['%', '_', '0%_o']) {
        const page = await store.customers.list({ first: 5, search: q });
        expect(
          page.edges.map((e) => e.node.id),
          q,
        ).toEqual(['promo']);
        expect(page.totalCount).toBe(1);
      }
      const none = await store.customers.list({ first: 5, search: 'zzz-nobody' });
      expect(none).toEqual({ edges: [], hasNextPage: false, totalCount: 0 });
    });

    it('rejects a cursor it did not issue, or issued for another search', async () => {
      await seedDemoCustomers(store);
      const issued = (await store.customers.list({ first: 2 })).edges[1]!.cursor;
      const [payload, mac] = issued.split('.') as [string, string];
      const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
      const bad = [
        '',
        'not a cursor!',
        Buffer.from('{"x":1}').toString('base64url'),
        // A well-formed position without a seal (the format before cursors were signed).
        Buffer.from('["2026-01-01T00:00:00.000Z","cust_demo0001"]').toString('base64url'),
        `${Buffer.from('["2099-01-01T00:00:00.000Z","cust_demo0001"]').toString('base64url')}.${mac}`,
        `${payload}.${flip(mac)}`,
        `${flip(payload)}.${mac}`,
        `${payload}.${mac}${'A'.repeat(2_000)}`,
      ];
      for (const after of bad) {
        const err = await store.customers.list({ first: 3, after }).catch((e: unknown) => e);
        expect(err, after).toBeInstanceOf(StoreInputError);
        expect(err).toMatchObject({ field: 'after', message: 'after is not a cursor this connection issued for these arguments' });
      }
      await expect(store.customers.list({ first: 3, after: issued, search: 'a' })).rejects.toMatchObject({ field: 'after' });
      expect((await store.customers.list({ first: 1, after: issued })).edges).toHaveLength(1);
      await expect(store.customers.list({ first: -1 })).rejects.toBeInstanceOf(StoreInputError);
    });

    it('inserts as provisioning and refuses a duplicate email in another case', async () => {
      const c = await store.customers.insert({ id: 'c1', email: 'Ada@Example.com', name: 'Ada' });
      expect(c).toMatchObject({ id: 'c1', email: 'Ada@Example.com', linkStatus: 'provisioning', paymentsCustomerId: null });
      expect(c.createdAt).toBeInstanceOf(Date);
      const dup = await store.customers.insert({ id: 'c2', email: 'ada@EXAMPLE.com', name: null }).catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(StoreConflictError);
      expect(dup).toMatchObject({ field: 'email', message: 'A customer with this email already exists' });
      await expect(store.customers.insert({ id: 'c1', email: 'other@example.com', name: null })).rejects.toMatchObject({
        name: 'StoreConflictError',
        field: 'id',
      });
      // The cursor of a fresh record (now(), not a whole second) still pages exactly.
      await store.customers.insert({ id: 'c0', email: 'zed@example.com', name: null });
      const cursor = (await store.customers.list({ first: 100 })).edges.find((e) => e.node.id === 'c1')!.cursor;
      const page = await store.customers.list({ first: 1, after: cursor });
      expect(page.edges.map((x) => x.node.id)).not.toContain('c1');
    });

    it('updates links and deletes', async () => {
      await store.customers.insert({ id: 'c1', email: 'a@example.com', name: null });
      await store.customers.insert({ id: 'c2', email: 'b@example.com', name: null });
      const linked = await store.customers.updateLinks('c1', { paymentsCustomerId: 'cus_1', crmContactId: '9', linkStatus: 'linked' });
      expect(linked).toMatchObject({ paymentsCustomerId: 'cus_1', crmContactId: '9', linkStatus: 'linked', linkError: null });
      const broken = await store.customers.updateLinks('c1', { crmContactId: null, linkStatus: 'needs_repair', linkError: 'CRM down' });
      expect(broken).toMatchObject({ paymentsCustomerId: 'cus_1', crmContactId: null, linkStatus: 'needs_repair', linkError: 'CRM down' });
      expect((await store.customers.byPaymentsIds(['cus_1']))[0]?.id).toBe('c1');
      await expect(store.customers.updateLinks('c2', { paymentsCustomerId: 'cus_1', linkStatus: 'linked' })).rejects.toMatchObject({
        name: 'StoreConflictError',
        field: 'paymentsCustomerId',
      });
      await expect(store.customers.updateLinks('nope', { linkStatus: 'linked' })).rejects.toBeInstanceOf(StoreInputError);
      await store.customers.delete('c1');
      await store.customers.delete('c1');
      expect(await store.customers.byIds(['c1', 'c2']).then((r) => r.map((c) => c?.id ?? null))).toEqual([null, 'c2']);
    });

    it('keeps the contact’s lifecycle stage while the contact stays, and clears it with a new or no contact', async () => {
      await store.customers.insert({ id: 'c1', email: 'a@example.com', name: null });
      const linked = await store.customers.updateLinks('c1', { crmContactId: '9', crmLifecycleStage: 'lead', linkStatus: 'linked' });
      expect(linked.crmLifecycleStage).toBe('lead');
      expect((await store.customers.updateLinks('c1', { crmContactId: '9', linkStatus: 'linked' })).crmLifecycleStage).toBe('lead');
      await store.customers.setCrmLifecycleStage('c1', '9', 'customer');
      // An event of a contact the customer is no longer linked to changes nothing.
      await store.customers.setCrmLifecycleStage('c1', '8', 'other');
      expect((await store.customers.byIds(['c1']))[0]!.crmLifecycleStage).toBe('customer');
      expect((await store.customers.updateLinks('c1', { crmContactId: '10', linkStatus: 'linked' })).crmLifecycleStage).toBeNull();
      await store.customers.setCrmLifecycleStage('c1', '10', 'opportunity');
      expect((await store.customers.updateLinks('c1', { crmContactId: null, linkStatus: 'needs_repair' })).crmLifecycleStage).toBeNull();
    });

    it('upserts many payments in one statement, the last entry of an id winning, and counts them on their UTC day', async () => {
      await db.query('truncate payments');
      const base = { provider: 'p', providerCustomerId: 'cus_1', currency: 'usd', amountRefunded: 0 };
      statements.length = 0;
      await store.payments.upsertMany([
        { ...base, id: 'a', status: 'processing', amount: 100, createdAt: new Date('2026-03-01T23:59:59.999Z') },
        { ...base, id: 'a', status: 'succeeded', amount: 100, amountRefunded: 40, createdAt: new Date('2026-03-01T23:59:59.999Z') },
        { ...base, id: 'b', status: 'succeeded', amount: 250, createdAt: new Date('2026-03-02T00:00:00.000Z') },
        { ...base, id: 'c', status: 'canceled', amount: 999, createdAt: new Date('2026-03-02T08:00:00.000Z') },
      ]);
      expect(statements.filter((q) => /insert into payments/.test(q))).toHaveLength(1);
      await store.payments.upsertMany([]);
      expect((await store.payments.byIds('p', ['a']))[0]).toMatchObject({ status: 'succeeded', amountRefunded: 40 });
      expect(await store.reports.revenueDaily({ from: '2026-03-01', to: '2026-03-02' })).toEqual([
        { day: '2026-03-01', currency: 'usd', gross: 100, refunded: 40, net: 60, payments: 1 },
        { day: '2026-03-02', currency: 'usd', gross: 250, refunded: 0, net: 250, payments: 1 },
      ]);
      expect(await store.reports.paymentsByStatus({ from: '2026-03-02', to: '2026-03-02' })).toEqual([
        { status: 'canceled', currency: 'usd', payments: 1, amount: 999, refunded: 0 },
        { status: 'succeeded', currency: 'usd', payments: 1, amount: 250, refunded: 0 },
      ]);
    });

    it('keeps queries outside a transaction out of it, and rolls back', async () => {
      const tx = db.transaction(async (t) => {
        await t.query(`insert into customers (id, email, link_status) values ('t1', 't1@example.com', 'linked')`);
        await sleep(100);
        // A failing savepoint does not abort the outer transaction.
        await expect(
          t.transaction((inner) => inner.query(`insert into customers (id, email, link_status) values ('t1', 'x@example.com', 'linked')`)),
        ).rejects.toMatchObject({ code: '23505' });
        expect((await t.query<{ n: number }>('select count(*)::int as n from customers')).rows[0]!.n).toBe(1);
        throw new Error('roll back');
      });
      await sleep(20);
      const outside = await db.query<{ n: number }>('select count(*)::int as n from customers');
      expect(outside.rows[0]!.n).toBe(0);
      await expect(tx).rejects.toThrow('roll back');
      expect((await db.query<{ n: number }>('select count(*)::int as n from customers')).rows[0]!.n).toBe(0);
    });

    it.runIf(backend.name.startsWith('pglite'))('refuses the outer handle inside its own transaction instead of hanging', async () => {
      await expect(db.transaction(() => db.query('select 1'))).rejects.toThrow(/inside its own transaction/);
      expect((await db.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    });

    it('reports health', async () => {
      expect(await store.health()).toEqual({ kind: db.kind, state: 'up' });
    });
  });
}

describe('pglite on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sy-store-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('survives close and reopen', async () => {
    const dataDir = join(dir, 'nested', 'db');
    const a = await openStore({ dataDir });
    expect((await Promise.all([a.migrate(), a.migrate()])).flat()).toEqual((await loadMigrations()).map((m) => m.version));
    await a.customers.insert({ id: 'kept', email: 'kept@example.com', name: 'Kept' });
    await a.close();
    expect(await a.health()).toMatchObject({ kind: 'pglite', state: 'down' });

    const b = await openStore({ dataDir });
    try {
      expect(await b.migrate()).toEqual([]);
      expect((await b.customers.byEmail('KEPT@example.com'))?.name).toBe('Kept');
    } finally {
      await b.close();
    }
  }, 60_000);
});

describe.skipIf(!url)(url ? 'postgres: concurrent migrators' : 'postgres: concurrent migrators — skipped: DATABASE_URL is not set', () => {
  const schema = freshSchema();
  afterAll(() => dropSchema(schema));

  it('two stores migrating one schema at once apply each migration once', async () => {
    const [a, b] = await Promise.all([openStore({ databaseUrl: url, schema }), openStore({ databaseUrl: url, schema })]);
    try {
      const results = await Promise.all([a.migrate(), b.migrate()]);
      const all = (await loadMigrations()).map((m) => m.version);
      expect(results.flat().sort()).toEqual(all);
      expect(await a.migrate()).toEqual([]);
      expect(await seedDemoCustomers(b)).toBe(200);
      expect((await a.customers.list({ first: 1 })).totalCount).toBe(200);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
