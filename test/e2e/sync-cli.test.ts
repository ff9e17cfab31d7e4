// `switchyard reconcile` and `switchyard import` as an operator runs them, on a fresh demo
// machine (embedded store, emulators): the demo seed's payments are not in the store's mirror,
// which the first reconciliation reports (exit 1, the drift in --json); --fix repairs it; the next
// finds nothing (exit 0); an import then finds every customer linked already.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/process.ts';

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
}

describe('switchyard reconcile and import', { timeout: 180_000 }, () => {
  let env: Record<string, string>;
  beforeAll(() => {
    env = { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sy-e2e-sync-')) };
  });
  afterAll(() => rmSync(env.DATA_DIR!, { recursive: true, force: true }));

  it('reports what drifted (exit 1), with every drift in --json and the logs kept off stdout', async () => {
    const res = await cli(['reconcile', '--json'], env);
    expect(res.code, res.err).toBe(1);
    const run = JSON.parse(res.out);
    expect(run).toMatchObject({ kind: 'reconcile', status: 'completed', requestedBy: 'cli', options: { fix: false } });
    expect(run.driftCounts.map((d: { kind: string }) => d.kind)).toEqual(['payment_missing']);
    expect(run.drift.length).toBe(run.counts['payments.read']);
    expect(run.drift[0]).toMatchObject({ kind: 'payment_missing', system: 'payments', repairStatus: null });
  });

  it('repairs it with --fix (exit 0), and the next run finds the systems agree', async () => {
    const fixed = await cli(['reconcile', '--fix'], env);
    expect(fixed.code, fixed.err).toBe(0);
    expect(fixed.out).toMatch(/payment_missing\s+\d+ \/ 0/);
    const again = await cli(['reconcile'], env);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain('no drift: the store, the payments provider and the CRM agree');
  });

  it('imports nothing new where everything is linked', async () => {
    const res = await cli(['import', '--json'], env);
    expect(res.code, res.err).toBe(0);
    const run = JSON.parse(res.out);
    expect(run).toMatchObject({ kind: 'import', status: 'completed' });
    expect(run.counts).toMatchObject({ 'crm.read': 200, 'payments.read': 200, 'crm.alreadyLinked': 200, 'payments.alreadyLinked': 200 });
    expect(run.counts.created ?? 0).toBe(0);
  });

  it('refuses a flag without its companion with exit 2 and a message', async () => {
    const res = await cli(['reconcile', '--delete-strays'], env);
    expect(res.code).toBe(2);
    expect(res.err).toContain('--delete-strays deletes only as a repair: it needs --fix');
  });
});
