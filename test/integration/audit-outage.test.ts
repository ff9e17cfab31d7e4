// The database goes away mid-run: operations keep being answered, their records wait in the
// spool, and once it is back every one of them is in the table, in one intact chain. On PGlite
// the outage is simulated at the Db (its calls fail like a refused connection); on Postgres it is
// real: the test's own role is made NOLOGIN and its connections are terminated, so the server
// refuses it while every other client carries on. A process killed while spooling loses nothing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, TEST_ADMIN } from '../helpers/stack.ts';
import { startObserved, switchable, type Observed } from '../helpers/observed.ts';
import { verifyChain } from '../../src/plugins/audit/verify.ts';
import { AuditWriter } from '../../src/plugins/audit/writer.ts';

interface Outage {
  start(): Promise<void>;
  end(): Promise<void>;
  cleanup(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function spooled(dir: string): number {
  let n = 0;
  for (const sub of readdirSync(dir))
    for (const f of readdirSync(path.join(dir, sub)).filter((x) => x.endsWith('.jsonl')))
      n += readFileSync(path.join(dir, sub, f), 'utf8')
        .split('\n')
        .filter(Boolean).length;
  return n;
}

describe.each(BACKENDS)('audit while the database is down, on %s', (backend) => {
  let o: Observed;
  let outage: Outage;

  beforeAll(async () => {
    if (backend === 'pglite') {
      let sw: ReturnType<typeof switchable> | undefined;
      o = await startObserved('pglite', { wrapDb: (db) => (sw = switchable(db)).db });
      outage = { start: async () => void (sw!.down = true), end: async () => void (sw!.down = false), cleanup: async () => {} };
      return;
    }
    const role = `sy_audit_${randomBytes(4).toString('hex')}`;
    await admin((c) => c.query(`create role ${role} login; grant create on database ${c.database} to ${role}`));
    const url = new URL(process.env.DATABASE_URL!);
    url.username = role;
    o = await startObserved('postgres', { databaseUrl: url.toString() });
    outage = {
      start: () =>
        admin(
          async (c) => void (await c.query(`alter role ${role} nologin; select pg_terminate_backend(pid) from pg_stat_activity where usename = '${role}'`)),
        ),
      end: () => admin(async (c) => void (await c.query(`alter role ${role} login`))),
      cleanup: () => admin(async (c) => void (await c.query(`drop owned by ${role} cascade; drop role ${role}`))),
    };
  });

  afterAll(async () => {
    await outage?.end();
    await o?.stop();
    await outage?.cleanup();
  });

  it('answers during the outage and writes every record once the database is back', async () => {
    const ids: string[] = [];
    const run = async (query: string) => {
      const id = `op-${ids.length}`;
      ids.push(id);
      return o.run(query, {}, TEST_ADMIN, id);
    };
    for (let i = 0; i < 3; i++) await run('query Before { customers(first: 1) { totalCount } }');
    expect(await o.flush()).toBe(0);

    await outage.start();
    for (let i = 0; i < 20; i++) {
      const res = await run(`query During { payment(id: "pi_demo00${String(10 + (i % 5)).padStart(2, '0')}01") { id } }`);
      expect(res.errors).toBeUndefined(); // Stripe alone: the gateway still answers
    }
    const needsDb = await run('query NeedsDb { customers(first: 1) { totalCount } }');
    expect(needsDb.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    await new Promise((r) => setTimeout(r, 300));
    expect(o.server.ops.writer.backlog()).toBeGreaterThanOrEqual(21);
    expect(spooled(o.config.audit.spoolDir)).toBeGreaterThanOrEqual(21);
    expect(o.server.ops.writer.stats.failures).toBeGreaterThan(0);

    await outage.end();
    expect(await o.flush()).toBe(0);
    expect(spooled(o.config.audit.spoolDir)).toBe(0);
    const rows = await o.rows();
    for (const id of ids)
      expect(
        rows.filter((r) => r.record.requestId === id),
        id,
      ).toHaveLength(1);
    expect((await verifyChain(o.store.audit)).ok).toBe(true);
    const logs = o.logs().join('\n');
    expect(logs.match(/store unavailable; records are spooled/g)).toHaveLength(1);
    expect(logs.match(/store reachable again/g)?.length).toBeGreaterThanOrEqual(1);
  });

  it('writes what a killed process had spooled, on the next start', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sy-crash-'));
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../helpers/spool-child.ts'), root, '25'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
    const { ids } = JSON.parse(line) as { ids: string[] };
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(spooled(root)).toBe(25);

    const writer = new AuditWriter({ store: o.store.audit, logger: pino({ level: 'silent' }), spoolDir: root });
    expect(await writer.flush(10_000)).toBe(0);
    await writer.close();
    const stored = new Set((await o.rows()).map((r) => r.record.id));
    for (const id of ids) expect(stored.has(id)).toBe(true);
    expect(readdirSync(root)).toEqual([]);
    expect((await verifyChain(o.store.audit)).ok).toBe(true);
    rmSync(root, { recursive: true, force: true });
  });
});
