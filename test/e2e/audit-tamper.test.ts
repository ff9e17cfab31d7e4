// Tampering by someone with write access to the database, caught by `switchyard audit verify`
// (the CLI, as an operator runs it) through what the database does not hold: the MAC key in the
// configuration and the anchors a started server wrote to a file and its log. Each case works
// on its own copy of the server's data directory.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, startProcess } from '../helpers/process.ts';
import { openDb } from '../../src/connectors/store/db.ts';
import { linkHash } from '../../src/plugins/audit/chain.ts';
import type { AuditRecord } from '../../src/connectors/store/index.ts';

const KEY = 'audit-tamper-e2e-key-0123456789abcdef0123';

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

async function query(url: string, id: string): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': id },
    body: JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' }),
  });
  await res.body?.cancel();
}

describe('audit MACs and anchors, verified by the CLI', { timeout: 300_000 }, () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sy-e2e-tamper-'));
  const original = path.join(root, 'original');
  let anchors: { seq: number; hash: string; at: string; hmac: string }[];
  let logged: string;
  let n = 0;

  /** A fresh copy of the server's data directory, and SQL on its embedded database. */
  async function copy(tamper?: (sql: <T>(text: string, params?: unknown[]) => Promise<T[]>) => Promise<void>): Promise<string> {
    const dir = path.join(root, `copy-${++n}`);
    cpSync(original, dir, { recursive: true });
    if (tamper) {
      const db = await openDb({ dataDir: path.join(dir, 'demo', 'pglite') });
      try {
        await tamper(async (text, params) => (await db.query(text, params)).rows as never);
      } finally {
        await db.close();
      }
    }
    return dir;
  }

  beforeAll(async () => {
    const server = await startProcess({ DATA_DIR: original, AUDIT_HMAC_KEY: KEY, AUDIT_ANCHOR_INTERVAL_MS: '1000' });
    for (let i = 0; i < 4; i++) await query(server.url, `tamper-a-${i}`);
    // Long enough for the periodic anchor to see the first requests.
    await new Promise((r) => setTimeout(r, 1_800));
    for (let i = 0; i < 4; i++) await query(server.url, `tamper-b-${i}`);
    expect(await server.stop()).toBe(0);
    logged = server.output();
    anchors = readFileSync(path.join(original, 'audit-anchors.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as (typeof anchors)[number]);
  }, 300_000);

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('anchors the head periodically and at shutdown, in the file and the log; an intact trail verifies', async () => {
    expect(anchors.length).toBeGreaterThanOrEqual(2);
    expect(anchors.at(-1)!.seq).toBeGreaterThanOrEqual(8);
    expect(anchors[0]!.seq).toBeLessThan(anchors.at(-1)!.seq);
    for (const a of anchors) expect(logged).toContain(`"hash":"${a.hash}"`);
    const ok = await cli(['audit', 'verify'], { DATA_DIR: await copy(), AUDIT_HMAC_KEY: KEY });
    expect(ok.out).toMatch(/audit chain intact: \d+ records/);
    expect(ok.out).toMatch(/MACs: \d+ checked/);
    expect(ok.out).toContain(`anchors: ${anchors.length} found on the chain`);
    expect(ok.code).toBe(0);
  });

  it('names a record rewritten with every later hash recomputed: by its MAC with the key, by the anchors without it', async () => {
    const dir = await copy(async (sql) => {
      const rows = await sql<{ seq: number; record: AuditRecord; prev_hash: string }>(
        'select seq::int as seq, record, prev_hash from audit_events order by seq',
      );
      let prev = rows.find((r) => r.seq === 3)!.prev_hash;
      for (const row of rows.filter((r) => r.seq >= 3)) {
        const record = row.seq === 3 ? { ...row.record, durationMs: 0.1 } : row.record;
        const hash = linkHash(prev, row.seq, record);
        await sql('update audit_events set record = $1::jsonb, prev_hash = $2, hash = $3 where seq = $4', [JSON.stringify(record), prev, hash, row.seq]);
        prev = hash;
      }
    });
    const keyed = await cli(['audit', 'verify'], { DATA_DIR: dir, AUDIT_HMAC_KEY: KEY });
    expect(keyed.out).toContain('audit chain BROKEN at record seq 3');
    expect(keyed.out).toContain('its MAC does not match');
    expect(keyed.code).toBe(1);

    const keyless = await cli(['audit', 'verify'], { DATA_DIR: dir, AUDIT_HMAC_KEY: '' });
    const firstCovering = anchors
      .map((a) => a.seq)
      .filter((s) => s >= 3)
      .sort((a, b) => a - b)[0]!;
    expect(keyless.out).toContain(`audit chain BROKEN at record seq ${firstCovering}`);
    expect(keyless.out).toContain('differs from the anchor');
    expect(keyless.out).toContain('MACs: NOT checked');
    expect(keyless.code).toBe(1);
  });

  it('fails when the newest records past an anchor are removed, and refuses an anchor forged to hide it', async () => {
    const last = anchors.at(-1)!.seq;
    const dir = await copy((sql) => sql('delete from audit_events where seq > $1', [last - 2]).then(() => undefined));
    const cut = await cli(['audit', 'verify'], { DATA_DIR: dir, AUDIT_HMAC_KEY: KEY });
    expect(cut.out).toContain(`audit chain BROKEN at record seq ${last - 1}`);
    expect(cut.out).toContain(`records ${last - 1}..${last} are missing`);
    expect(cut.code).toBe(1);

    // Rewriting the anchor file to match the shortened chain needs the key.
    const file = path.join(dir, 'audit-anchors.jsonl');
    const forged = anchors.filter((a) => a.seq <= last - 2);
    writeFileSync(file, forged.map((a) => JSON.stringify(a)).join('\n') + '\n' + JSON.stringify({ ...anchors.at(-1)!, seq: last - 2 }) + '\n');
    const covered = await cli(['audit', 'verify'], { DATA_DIR: dir, AUDIT_HMAC_KEY: KEY });
    expect(covered.out).toContain('is not signed by this AUDIT_HMAC_KEY');
    expect(covered.code).toBe(1);

    // With the anchor file gone altogether, the anchors in the server's log still tell.
    rmSync(file);
    const noFile = await cli(['audit', 'verify'], { DATA_DIR: dir, AUDIT_HMAC_KEY: KEY });
    expect(noFile.out).toContain('WARNING: no anchor file');
    expect(noFile.code).toBe(0);
    const log = path.join(root, 'server.log');
    writeFileSync(log, logged);
    const fromLog = await cli(['audit', 'verify', '--anchors', log], { DATA_DIR: dir, AUDIT_HMAC_KEY: KEY });
    expect(fromLog.out).toContain(`records ${last - 1}..${last} are missing`);
    expect(fromLog.code).toBe(1);
  });

  it('refuses to start in production without AUDIT_HMAC_KEY, naming it', async () => {
    const env = {
      DATA_DIR: path.join(root, 'production'),
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      JWT_ISSUER: 'https://issuer.test',
      JWT_AUDIENCE: 'switchyard',
    };
    const started = await cli(['start'], { ...env, PORT: '0', DEMO_EMULATOR_PORTS: '0,0,0' });
    expect(started.code).toBe(2);
    expect(started.out).toContain('NODE_ENV=production needs AUDIT_HMAC_KEY');
  });
});
