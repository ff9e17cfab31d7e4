// Demo keys live and die with their demo process, as real `switchyard start` processes on one
// store see it (an embedded PGlite directory; and a Postgres schema when DATABASE_URL is set):
// a crashed demo process's keys expire, a stopped one's are revoked, a process not in demo mode
// refuses them and takes the store out of demo use, after which no demo keys are issued there.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, type Started } from '../helpers/process.ts';
import { dropTestSchema } from '../helpers/postgres.ts';
import { BACKENDS } from '../helpers/stack.ts';

// Renewed every TTL/3: long enough that a process starved of CPU for a few seconds keeps its keys.
const TTL_SECONDS = 10;
// Not in demo mode: every provider has a credential. No call reaches them in this test.
const LIVE = {
  DEMO: 'false',
  STRIPE_SECRET_KEY: 'sk_test_not_a_demo',
  STRIPE_API_BASE: 'http://127.0.0.1:9',
  HUBSPOT_ACCESS_TOKEN: 'pat-not-a-demo',
  HUBSPOT_API_BASE: 'http://127.0.0.1:9',
  OPENAI_API_KEY: 'sk-not-a-demo',
  OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
};

const adminKey = (p: Started) => /^ {4}admin +(syk_\S+)/m.exec(p.output())?.[1];

async function ask(p: Started, key: string) {
  const res = await fetch(p.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: { extensions: { code: string; reason?: string } }[] };
  return { status: res.status, reason: body.errors?.[0]?.extensions.reason, body };
}

const killed = (p: Started) =>
  new Promise<void>((resolve) => {
    p.child.once('exit', () => resolve());
    p.child.kill('SIGKILL');
  });

describe.each(BACKENDS)('demo keys across switchyard processes on one %s store', { timeout: 900_000 }, (backend) => {
  const root = mkdtempSync(path.join(tmpdir(), 'sy-demo-e2e-'));
  const schema = `sy_test_${randomBytes(6).toString('hex')}`;
  const running: Started[] = [];
  let demoEnv: (n: string) => Record<string, string>;
  let liveEnv: Record<string, string>;

  beforeAll(async () => {
    const base = { LOG_LEVEL: 'warn', DEMO_KEY_TTL_SECONDS: String(TTL_SECONDS) };
    if (backend === 'postgres') {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`create schema ${schema}`);
      await client.end();
      const url = new URL(process.env.DATABASE_URL!);
      url.searchParams.set('options', `-c search_path=${schema}`);
      // One DATA_DIR each: every process keeps its own audit spool there.
      demoEnv = (n) => ({ ...base, DATABASE_URL: url.toString(), DATA_DIR: path.join(root, n) });
      liveEnv = { ...base, ...LIVE, DATABASE_URL: url.toString(), DATA_DIR: path.join(root, 'live-process') };
    } else {
      // The live process's embedded store (DATA_DIR/live) is the demo one (DATA_DIR/demo): one store.
      mkdirSync(path.join(root, 'demo-data', 'demo'), { recursive: true });
      mkdirSync(path.join(root, 'live-data'));
      symlinkSync(path.join(root, 'demo-data', 'demo'), path.join(root, 'live-data', 'live'));
      demoEnv = () => ({ ...base, DATA_DIR: path.join(root, 'demo-data') });
      liveEnv = { ...base, ...LIVE, DATA_DIR: path.join(root, 'live-data') };
    }
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
    if (backend === 'postgres') await dropTestSchema(schema);
  });

  const start = async (env: Record<string, string>) => {
    const p = await startProcess(env, { startMs: 240_000 });
    running.push(p);
    return p;
  };

  it('expire after a crash, are revoked at a clean stop, are refused and withdrawn by a process not in demo mode', async () => {
    const a = await start(demoEnv('a'));
    const keyA = adminKey(a)!;
    expect(keyA).toMatch(/^syk_/);
    expect(await ask(a, keyA)).toMatchObject({ status: 200, body: { data: { customers: { totalCount: 200 } } } });
    await killed(a);
    const crashedAt = Date.now();

    const b = await start(demoEnv('b'));
    const keyB = adminKey(b)!;
    expect(await ask(b, keyB)).toMatchObject({ status: 200 });
    // A's session renewed its keys every TTL/3; a TTL after it died they are dead.
    await new Promise((r) => setTimeout(r, Math.max(0, crashedAt + TTL_SECONDS * 1000 + 500 - Date.now())));
    expect(await ask(b, keyA)).toMatchObject({ status: 401, reason: 'expired' });
    expect(await b.stop()).toBe(0);

    let d: Started | undefined;
    let keyD: string | undefined;
    if (backend === 'postgres') {
      // Postgres serves processes side by side: a demo process is running when the live one starts.
      d = await start(demoEnv('d'));
      keyD = adminKey(d)!;
      expect(await ask(d, keyD)).toMatchObject({ status: 200 });
    }

    const live = await start(liveEnv);
    expect(live.output()).not.toMatch(/syk_/);
    expect(await ask(live, keyB)).toMatchObject({ status: 401, reason: 'revoked' });
    expect((await ask(live, keyA)).status).toBe(401);
    if (d && keyD) {
      expect(live.output()).toContain('revoked demo API keys found in this store');
      expect(await ask(live, keyD)).toMatchObject({ status: 401, reason: 'revoked' });
      expect(await ask(d, keyD)).toMatchObject({ status: 401, reason: 'revoked' });
      expect(await d.stop()).toBe(0);
    }
    expect(await live.stop()).toBe(0);

    // The store has served a live process: a demo process on it issues no keys from now on.
    const c = await start(demoEnv('c'));
    expect(c.output()).toContain('No demo API keys: this store has served a Switchyard not in demo mode');
    expect(c.output()).not.toMatch(/syk_/);
    expect(await c.stop()).toBe(0);
  });
});
