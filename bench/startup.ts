// Start-up: ms from spawning `switchyard start` to the first 200 from /health/ready, the process's
// RSS (VmRSS) and CPU time right then. For each way of running it (`dist`: `node src/bin.mjs start`
// on the build, as npm start and production run it; `tsx`: the sources compiled at load, as before
// the build existed), in demo mode and in the benchmark's production-like mode (bench/README.md:
// NODE_ENV=production, live credentials, JWT authentication), on Postgres (DATABASE_URL, --runs
// times) and on embedded PGlite (--pglite-runs times).
//
// Each combination gets its own store (a fresh schema, or a fresh DATA_DIR), which one unmeasured
// first start migrates (and seeds, in demo mode): what is measured is a restart, as a deploy or a
// crash makes it. That first start is reported apart (`firstStart`) and is a cold one: migrations,
// the demo seed, and an empty compile cache.
//
// Prints one JSON object. Usage: npm run bench:startup [-- --runs 5 --pglite-runs 1 --from dist,tsx --modes demo,production --stores postgres,pglite]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { baseEnv } from './harness/targets.ts';
import { cpuSeconds, freePort, logTail, memory, startChild, stopChild, type Child } from './harness/processes.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const RUNS = Number(arg('runs', '5'));
const PGLITE_RUNS = Number(arg('pglite-runs', '1'));
const FROM = arg('from', 'dist,tsx').split(',') as ('dist' | 'tsx')[];
const MODES = arg('modes', 'demo,production').split(',') as ('demo' | 'production')[];
const STORES = arg('stores', 'postgres,pglite').split(',');
const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;
const work = mkdtempSync(path.join(os.tmpdir(), 'sy-bench-startup-'));
const round = (n: number) => Math.round(n * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

/** `dist` is what the executable runs once built; `tsx` is what it ran before (register tsx, import main.ts). */
const ARGS = { dist: [path.join(ROOT, 'src/bin.mjs'), 'start'], tsx: ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), 'start'] };

/** The main benchmark's Switchyard target (bench/run.ts), minus the emulators: nothing is called at start. */
const PRODUCTION = {
  NODE_ENV: 'production',
  DEMO: 'false',
  STRIPE_SECRET_KEY: 'sk_test_bench',
  STRIPE_API_BASE: 'http://127.0.0.1:9',
  HUBSPOT_ACCESS_TOKEN: 'bench-hubspot-token',
  HUBSPOT_API_BASE: 'http://127.0.0.1:9',
  OPENAI_API_KEY: 'bench-openai-key',
  OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
  AUDIT_HMAC_KEY: 'bench-audit-mac-key-0123456789abcdef0123456789abcdef',
  JWT_SECRET: randomBytes(32).toString('base64url'),
  JWT_ISSUER: 'https://bench.switchyard.invalid/',
  JWT_AUDIENCE: 'switchyard',
};

interface Start {
  readyMs: number;
  rssMb: number;
  cpuMs: number;
}

/** The figures for `dist` are of the build of the sources as they are now (an edit meanwhile would make bin.mjs run tsx). */
const buildIfStale = () => execFileSync(process.execPath, [path.join(ROOT, 'src/build.mjs'), '--if-stale', '--quiet'], { stdio: 'inherit' });

async function startOnce(env: NodeJS.ProcessEnv, from: 'dist' | 'tsx', name: string): Promise<Start> {
  if (from === 'dist') buildIfStale();
  const port = await freePort();
  const t0 = performance.now();
  const child = startChild(name, ARGS[from], { ...env, PORT: String(port) }, path.join(work, `${name}.log`));
  try {
    await ready(child, port);
    const readyMs = performance.now() - t0;
    return { readyMs: Math.round(readyMs), rssMb: memory(child.pid).rssMb, cpuMs: Math.round(cpuSeconds(child.pid) * 1000) };
  } finally {
    await stopChild(child);
  }
}

async function ready(child: Child, port: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) break;
    const res = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
    if (res?.status === 200) return;
    await sleep(5);
  }
  throw new Error(`${child.name} was not ready (log: ${child.logFile}):\n${logTail(child)}`);
}

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function measure(store: 'postgres' | 'pglite', mode: 'demo' | 'production', from: 'dist' | 'tsx') {
  const name = `${store}-${mode}-${from}`;
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    LOG_LEVEL: 'info',
    DATA_DIR: path.join(work, name),
    DEMO_EMULATOR_PORTS: '0,0,0,0',
    ...(mode === 'production' ? PRODUCTION : {}),
  };
  if (REDIS_URL) Object.assign(env, { REDIS_URL, REDIS_KEY_PREFIX: `sy_bench_startup_${randomBytes(4).toString('hex')}:` });
  const schema = `sy_bench_startup_${randomBytes(4).toString('hex')}`;
  if (store === 'postgres') {
    await sql(`create schema ${schema}`);
    const url = new URL(DATABASE_URL!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    Object.assign(env, { DATABASE_URL: url.toString(), JOBS_SCHEMA: `${schema}_jobs` });
  }
  try {
    const firstStart = await startOnce(env, from, `${name}-first`);
    const runs: Start[] = [];
    for (let i = 0; i < (store === 'postgres' ? RUNS : PGLITE_RUNS); i++) runs.push(await startOnce(env, from, `${name}-${i}`));
    const summary = (k: keyof Start) => ({ median: median(runs.map((r) => r[k])), all: runs.map((r) => r[k]) });
    return { readyMs: summary('readyMs'), rssMb: summary('rssMb'), cpuMs: summary('cpuMs'), firstStart };
  } finally {
    if (store === 'postgres') await sql(`drop schema if exists ${schema} cascade; drop schema if exists ${schema}_jobs cascade`);
  }
}

const result: Record<string, unknown> = {
  node: process.version,
  cpus: os.cpus().length,
  loadAverage: os.loadavg().map(round),
  runs: RUNS,
  redis: Boolean(REDIS_URL),
};
const stores = (['postgres', 'pglite'] as const).filter((s) => STORES.includes(s) && (s === 'pglite' || DATABASE_URL));
for (const store of stores) {
  const byMode: Record<string, unknown> = {};
  for (const mode of MODES) {
    const byFrom: Record<string, unknown> = {};
    for (const from of FROM) byFrom[from] = await measure(store, mode, from);
    byMode[mode] = byFrom;
  }
  result[store] = byMode;
}
result.loadAverageAfter = os.loadavg().map(round);
rmSync(work, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
