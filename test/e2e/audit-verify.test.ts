// The started server writes every request's audit record before it exits on SIGTERM, and
// `switchyard audit verify` (the CLI, as an operator runs it) passes on that trail, then names
// the record a tamperer changed directly in the database.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, startProcess, type Started } from '../helpers/process.ts';
import { openDb } from '../../src/connectors/store/db.ts';

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

describe('audit trail of a started server, verified by the CLI', { timeout: 120_000 }, () => {
  let dataDir: string;
  let server: Started;
  const ids: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sy-e2e-audit-'));
    server = await startProcess({ DATA_DIR: dataDir });
    for (let i = 0; i < 5; i++) {
      const id = `e2e-audit-${i}`;
      ids.push(id);
      await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': id },
        body: JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' }),
      });
    }
    expect(await server.stop()).toBe(0);
  }, 300_000);

  afterAll(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('has every request in the table after SIGTERM, and verify passes', async () => {
    const db = await openDb({ dataDir: path.join(dataDir, 'demo', 'pglite') });
    const rows = await db.query<{ request_id: string }>('select request_id from audit_events');
    await db.close();
    for (const id of ids) expect(rows.rows.filter((r) => r.request_id === id)).toHaveLength(1);
    const ok = await cli(['audit', 'verify'], { DATA_DIR: dataDir });
    expect(ok.out).toMatch(/audit chain intact: \d+ records/);
    expect(ok.code).toBe(0);
  });

  it('names the first tampered record and exits 1', async () => {
    const db = await openDb({ dataDir: path.join(dataDir, 'demo', 'pglite') });
    await db.query(`update audit_events set record = jsonb_set(record, '{principal,id}', '"someone-else"') where seq = 3`);
    await db.close();
    const broken = await cli(['audit', 'verify'], { DATA_DIR: dataDir });
    expect(broken.out).toContain('audit chain BROKEN at record seq 3');
    expect(broken.out).toContain('this record was altered');
    expect(broken.out).toContain('2 records before it verified');
    expect(broken.code).toBe(1);
  });
});
