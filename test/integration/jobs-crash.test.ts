// At-least-once across a crash, and a graceful stop, with the queue in real processes: one is
// killed (SIGKILL) with a job in flight, the next takes the job again; SIGTERM lets a running
// job finish. PGlite always (a data directory shared by the processes in turn), Postgres too
// when DATABASE_URL is set.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/stack.ts';
import { dropTestSchema } from '../helpers/postgres.ts';

const CHILD = path.resolve(import.meta.dirname, '../helpers/jobs-child.ts');
type Event = { event: string; id?: string; retryCount?: number; mode?: string; pid: number };

interface Child {
  proc: ChildProcess;
  events: Event[];
  waitFor(pred: (e: Event) => boolean, what: string): Promise<Event>;
  exited: Promise<number | null>;
}

function startChild(env: Record<string, string>, args: string[] = []): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Event[] = [];
  let buf = '';
  let err = '';
  const waiters = new Set<() => void>();
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      events.push(JSON.parse(buf.slice(0, nl)) as Event);
      buf = buf.slice(nl + 1);
    }
    waiters.forEach((w) => w());
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => (waiters.forEach((w) => w()), resolve(code))));
  return {
    proc,
    events,
    exited,
    waitFor: (pred, what) =>
      new Promise((resolve, reject) => {
        // Generous: a cold start (tsx, PGlite's WebAssembly) on a busy 2-core machine can take a minute.
        const timer = setTimeout(() => reject(new Error(`no ${what} in 300 s:\n${JSON.stringify(events)}\n${err}`)), 300_000);
        const check = () => {
          const hit = events.find(pred);
          if (hit) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(hit);
          } else if (proc.exitCode !== null || proc.signalCode !== null) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`child exited before ${what}:\n${err}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

describe.each(BACKENDS)('job queue across processes on %s', (backend) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sy-jobs-'));
  const schema = `sy_test_${randomBytes(6).toString('hex')}`;
  const env: Record<string, string> =
    backend === 'postgres'
      ? { DATABASE_URL: process.env.DATABASE_URL!, STORE_SCHEMA: schema, JOBS_SCHEMA: `${schema}_jobs` }
      : { DATABASE_URL: '', DATA_DIR: path.join(dir, 'pglite'), JOBS_SCHEMA: 'pgboss' };
  const children: Child[] = [];
  const start = (args: string[] = []) => {
    const c = startChild(env, args);
    children.push(c);
    return c;
  };

  afterAll(async () => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    rmSync(dir, { recursive: true, force: true });
    if (backend === 'postgres') await Promise.all([dropTestSchema(schema), dropTestSchema(`${schema}_jobs`)]);
  });

  it('runs a job again after the process running it was killed, and lets a running job finish on SIGTERM', { timeout: 900_000 }, async () => {
    const a = start(['enqueue', 'hang']);
    const { id } = await a.waitFor((e) => e.event === 'enqueued', 'enqueue');
    await a.waitFor((e) => e.event === 'start' && e.id === id, 'first attempt');
    a.proc.kill('SIGKILL');
    await a.exited;

    // The job is still "active" under the dead process until it expires (3 s); then it is retried.
    const t0 = Date.now();
    const b = start();
    const again = await b.waitFor((e) => e.event === 'start' && e.id === id, 'the retried attempt');
    await b.waitFor((e) => e.event === 'done' && e.id === id, 'the retried job to finish');
    console.info(`[jobs ${backend}] a killed job ran again ${Date.now() - t0} ms after the next process started`);
    expect(again.retryCount).toBeGreaterThanOrEqual(1);
    b.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);

    // SIGTERM while a job runs: it finishes, then the process exits 0.
    const c = start(['enqueue', 'slow']);
    const { id: slowId } = await c.waitFor((e) => e.event === 'enqueued', 'the slow job');
    await c.waitFor((e) => e.event === 'start' && e.id === slowId, 'the slow job to start');
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    const order = c.events.filter((e) => (e.id === slowId && e.event === 'done') || e.event === 'stopped').map((e) => e.event);
    expect(order).toEqual(['done', 'stopped']);

    // The job finished by the second process did not run again in the third.
    expect(c.events.filter((e) => e.event === 'start').map((e) => e.id)).toEqual([slowId]);
  });
});
