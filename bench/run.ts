// What Switchyard costs per request, beside bare Apollo Server, GraphQL Yoga, Mercurius and a
// naive hand-written gateway over the same graph, and a bare node:http ceiling. One run, one
// machine: the emulators (own process, fixed injected latency), each target in its own process
// (so its peak RSS is its own), and autocannon here, on loopback.
//
//   npm run bench                      full run (10 s per case, 50 connections)
//   npm run bench -- --quick           smoke test: a few seconds per case (CI)
//   npm run bench -- --readme          also write the tables into bench/README.md
//   npm run bench -- --only switchyard,apollo --ops cached --cpu-prof switchyard
//
// Exits 1 only when a case errors out (non-2xx answers, GraphQL errors in sampled responses, a
// target that crashes or never answers); a missed performance goal is reported, never fatal.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { OPERATIONS } from './harness/operations.ts';
import { TARGETS, baseEnv, forgetRedisKeys, switchyardAuth, type AuthMode, type TargetSpec } from './harness/targets.ts';
import { freePort, memory, runToEnd, startChild, stopChild, waitForQuiet, waitUntil, type Child } from './harness/processes.ts';
import { Emulators } from './harness/upstream.ts';
import { measureCase, type CaseSettings } from './harness/measure.ts';
import { evaluateGoals, updateReadme, writeResults, type RunReport, type TargetResult } from './report.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS = path.join(ROOT, 'bench/results');
const DB_SCHEMA = 'switchyard_bench';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    latency: { type: 'string', default: '20' },
    'paced-rate': { type: 'string' },
    only: { type: 'string' },
    ops: { type: 'string' },
    auth: { type: 'string', default: 'jwt' },
    store: { type: 'string', default: 'auto' },
    'log-level': { type: 'string', default: 'info' },
    'node-options': { type: 'string' },
    'cpu-prof': { type: 'string' },
    readme: { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
    retries: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  process.stdout.write(`npm run bench -- [--quick] [--duration s] [--warmup s] [--connections n] [--latency ms] [--paced-rate req/s]
  [--only ${TARGETS.map((t) => t.id).join(',')}] [--ops ${OPERATIONS.map((o) => o.id).join(',')}]
  [--auth jwt|api-key] [--store auto|pglite|postgres] [--log-level info] [--node-options '--flag ...'] [--cpu-prof switchyard,...] [--readme] [--keep-logs] [--retries n] [--json]\n`);
  process.exit(0);
}

const quick = args.quick;
const num = (v: string | undefined, fallback: number, name: string) => {
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number (got ${v})`);
  return n;
};
const durationS = num(args.duration, quick ? 2 : 10, 'duration');
const warmupS = num(args.warmup, quick ? 1 : 2, 'warmup');
const connections = num(args.connections, quick ? 10 : 50, 'connections');
const latencyMs = num(args.latency, 20, 'latency');
const pacedRate = num(args['paced-rate'], quick ? 50 : 100, 'paced-rate');
const pick = <T extends { id: string }>(all: T[], list: string | undefined, name: string): T[] => {
  if (!list) return all;
  const ids = list.split(',').map((s) => s.trim());
  const unknown = ids.find((id) => !all.some((x) => x.id === id));
  if (unknown) throw new Error(`--${name}: unknown ${unknown} (known: ${all.map((x) => x.id).join(', ')})`);
  return all.filter((x) => ids.includes(x.id));
};
const targets = pick(TARGETS, args.only, 'only');
const ops = pick(OPERATIONS, args.ops, 'ops');
const profiled = new Set((args['cpu-prof'] ?? '').split(',').filter(Boolean));
const auth = args.auth as AuthMode;
if (auth !== 'jwt' && auth !== 'api-key') throw new Error('--auth must be jwt or api-key');
if (!['auto', 'pglite', 'postgres'].includes(args.store!)) throw new Error('--store must be auto, pglite or postgres');
const databaseUrl = args.store === 'pglite' ? undefined : process.env.DATABASE_URL;
if (args.store === 'postgres' && !databaseUrl) throw new Error('--store postgres needs DATABASE_URL');
const redisUrl = process.env.REDIS_URL;

const runId = randomBytes(3).toString('hex');
const work = path.join(os.tmpdir(), 'switchyard-bench', runId);
mkdirSync(work, { recursive: true });
const log = (line: string) => process.stderr.write(`${line}\n`);
// The Switchyard target runs as deployed: the JavaScript build of the sources as they are now.
execFileSync(process.execPath, [path.join(ROOT, 'src/build.mjs'), '--if-stale', '--quiet'], { stdio: 'inherit' });

// Quotas raised far above what a run reaches: the benchmark measures the gateways, not Stripe's
// 25 requests per second in test mode. Every other policy keeps its default.
const policyFile = path.join(work, 'policy.json');
const unlimited = (durationMs: number) => ({ quota: { points: 100_000_000, durationMs } });
writeFileSync(policyFile, JSON.stringify({ stripe: unlimited(1_000), hubspot: unlimited(10_000), openai: unlimited(60_000) }));

const children = new Set<Child>();
process.on('exit', () => {
  for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const seed = (name: string, env: NodeJS.ProcessEnv) =>
  runToEnd(name, ['--import', 'tsx', path.join(ROOT, 'bench/harness/seed.ts')], { ...baseEnv(), ...env }, path.join(work, `${name}.log`));

// On a shared machine other people's processes take CPU too: wait (a while) for a quiet one, and
// in full runs measure a case again when they loaded the machine meanwhile (see CaseSettings).
const retries = num(args.retries, quick ? 0 : 2, 'retries');
const MAX_FOREIGN_PCT = 25;
const backgroundCpuPct = await waitForQuiet([process.pid], MAX_FOREIGN_PCT, quick ? 3_000 : 60_000);
if (backgroundCpuPct > MAX_FOREIGN_PCT)
  log(`bench: warning: other processes keep ${backgroundCpuPct}% of the CPUs (of ${os.cpus().length * 100}%) busy; figures will be lower and noisier`);

// ---- emulators -----------------------------------------------------------------------------
// Their own process: their CPU competes with the targets' either way on this machine, but not on
// autocannon's event loop, whose timing would suffer.
const emulators = await Emulators.start(baseEnv(), path.join(work, 'emulators.log'));
children.add(emulators.child);
const { urls } = emulators;

// ---- store ---------------------------------------------------------------------------------
const storeKind = databaseUrl ? 'postgres' : 'pglite';
if (databaseUrl) await seed('seed', { BENCH_DATABASE_URL: databaseUrl, BENCH_DB_SCHEMA: DB_SCHEMA });
/** Switchyard reads only DATABASE_URL: the schema rides along as a startup option. */
function switchyardDatabaseUrl(): string {
  const u = new URL(databaseUrl!);
  u.searchParams.set('options', `-c search_path=${DB_SCHEMA}`);
  return u.toString();
}

// ---- targets -------------------------------------------------------------------------------
const responses: Record<string, string> = {};

function targetEnv(spec: TargetSpec, port: number, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DEMO: 'false',
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_API_BASE: urls.stripe,
    HUBSPOT_ACCESS_TOKEN: 'bench-hubspot-token',
    HUBSPOT_API_BASE: urls.hubspot,
    OPENAI_API_KEY: 'bench-openai-key',
    OPENAI_BASE_URL: `${urls.openai}/v1`,
    POLICY_FILE: policyFile,
    // Production refuses to start without the audit MAC key; the bench's own, never a real one.
    AUDIT_HMAC_KEY: 'bench-audit-mac-key-0123456789abcdef0123456789abcdef',
  };
  // An experiment knob (e.g. --node-options=--max-semi-space-size=16), applied to every target alike.
  if (args['node-options']) env.NODE_OPTIONS = args['node-options'];
  if (spec.pipeline && redisUrl) Object.assign(env, { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `sy_bench_${runId}_${spec.id}:` });
  if (spec.id === 'switchyard') {
    Object.assign(env, { LOG_LEVEL: args['log-level'], INBOUND_RATE_LIMIT: '1000000000', DATA_DIR: dataDir });
    if (databaseUrl) env.DATABASE_URL = switchyardDatabaseUrl();
  } else if (databaseUrl) {
    Object.assign(env, { BENCH_DATABASE_URL: databaseUrl, BENCH_DB_SCHEMA: DB_SCHEMA });
  } else {
    env.BENCH_PGLITE_DIR = path.join(dataDir, 'pglite');
  }
  if (spec.id === 'ceiling') env.BENCH_CEILING_RESPONSES = path.join(work, 'ceiling-responses.json');
  return env;
}

const caseSettings: CaseSettings = { emulators, connections, durationS, warmupS, pacedRate, responses, retries, maxForeignPct: MAX_FOREIGN_PCT, log };

async function runTarget(spec: TargetSpec): Promise<TargetResult> {
  const result: TargetResult = {
    id: spec.id,
    title: spec.title,
    peakRssMb: undefined,
    startRssMb: undefined,
    exit: undefined,
    problems: [],
    profile: undefined,
    cases: [],
  };
  const dataDir = path.join(work, spec.id);
  const port = await freePort();
  const env = targetEnv(spec, port, dataDir);
  await emulators.reset(latencyMs);
  if (!databaseUrl && spec.id !== 'ceiling') {
    // Embedded PGlite: each target its own directory, seeded before it starts.
    const pgliteDir = spec.id === 'switchyard' ? path.join(dataDir, 'live', 'pglite') : env.BENCH_PGLITE_DIR!;
    await seed(`seed-${spec.id}`, { BENCH_PGLITE_DIR: pgliteDir });
  }
  let headers: Record<string, string> = {};
  let cleanup = async () => {};
  if (spec.id === 'switchyard') {
    const a = switchyardAuth(auth, () => env);
    Object.assign(env, a.env);
    headers = await a.headers();
    cleanup = () => a.cleanup();
  }
  if (spec.id === 'ceiling') writeFileSync(env.BENCH_CEILING_RESPONSES!, JSON.stringify(responses));

  const profileDir = path.join(RESULTS, 'profiles');
  const profile = profiled.has(spec.id) || profiled.has('all');
  if (profile) {
    mkdirSync(profileDir, { recursive: true });
    result.profile = path.join(profileDir, `${spec.id}-${runId}.cpuprofile`);
  }
  const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${path.basename(result.profile!)}`] : [];
  const child = startChild(spec.id, [...flags, ...spec.args], env, path.join(work, `${spec.id}.log`));
  children.add(child);
  const url = `http://127.0.0.1:${port}/graphql`;
  try {
    await waitUntil(child, async () => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"query":"{ __typename }"}' });
      await res.arrayBuffer();
      return true;
    });
    result.startRssMb = memory(child.pid).rssMb;
    for (const op of ops) {
      const c = await measureCase(caseSettings, spec, child, url, headers, op);
      result.cases.push(c);
      const l = c.load;
      log(
        `  ${spec.id.padEnd(10)} ${op.id.padEnd(13)} ` +
          (l
            ? `${String(l.rps).padStart(8)} req/s  p50 ${l.latencyMs.p50} ms  p99 ${l.latencyMs.p99} ms  upstream/req ${c.upstream?.perRequest}  cpu ${c.cpuPct?.target ?? '?'}% (machine ${c.cpuPct?.machine ?? '?'}%)`
            : '') +
          (c.ok ? '' : `  FAILED: ${c.problems.join('; ').slice(0, 400)}`),
      );
      if (child.process.exitCode !== null || child.process.signalCode !== null) break;
    }
    if (child.process.exitCode === null && child.process.signalCode === null) result.peakRssMb = memory(child.pid).peakRssMb;
  } catch (err) {
    result.problems.push((err as Error).message.slice(0, 2_000));
    log(`  ${spec.id}: ${(err as Error).message.slice(0, 2_000)}`);
  } finally {
    result.exit = await stopChild(child);
    children.delete(child);
    await cleanup().catch((err: unknown) => log(`  ${spec.id}: cleanup failed: ${(err as Error).message}`));
  }
  return result;
}

// ---- run -----------------------------------------------------------------------------------
const startedAt = new Date().toISOString();
log(
  `bench: ${quick ? 'quick' : 'full'} run ${runId}; ${connections} connections, ${durationS} s per case (+${warmupS} s warm-up), upstream latency ${latencyMs} ms; store ${storeKind}, cache ${redisUrl ? 'redis' : 'memory'}; logs in ${work}`,
);
const results: TargetResult[] = [];
try {
  for (const spec of targets) results.push(await runTarget(spec));
} finally {
  await emulators.stop();
  children.delete(emulators.child);
}

if (redisUrl)
  await forgetRedisKeys(redisUrl, `sy_bench_${runId}_`).catch((err: unknown) =>
    log(`bench: could not remove this run's Redis keys: ${(err as Error).message}`),
  );

const cpu = os.cpus();
const partial: Omit<RunReport, 'goals' | 'ok'> = {
  bench: 'gateways',
  startedAt,
  mode: quick ? 'quick' : 'full',
  machine: { cpus: cpu.length, cpuModel: cpu[0]?.model.trim() ?? 'unknown', node: process.version, os: `${os.type()} ${os.release()}`, backgroundCpuPct },
  settings: {
    upstreamLatencyMs: latencyMs,
    pacedRate,
    connections,
    durationS,
    warmupS,
    store: storeKind,
    cache: redisUrl ? 'redis' : 'memory',
    auth,
    switchyardLogLevel: args['log-level']!,
    nodeOptions: args['node-options'] ?? '',
  },
  targets: results,
};
const ok = results.every((t) => t.problems.length === 0 && t.cases.length === ops.length && t.cases.every((c) => c.ok));
const report: RunReport = { ...partial, goals: evaluateGoals(partial), ok };
const { json, md } = writeResults(report, RESULTS);
// Markdown for people; with --json the report itself, as bench/pipeline.ts prints its own.
if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else process.stdout.write(`\n${md}\n`);
log(`results: ${json}`);
if (args.readme && quick) log('bench: --readme ignored: bench/README.md keeps the figures of a full run');
else if (args.readme) {
  updateReadme(path.join(ROOT, 'bench/README.md'), md, report.settings.cache);
  log('bench/README.md updated');
}
if (ok && !args['keep-logs']) rmSync(work, { recursive: true, force: true });
if (!ok) log(`bench: some cases failed (exit 1); target logs kept in ${work}`);
process.exit(ok ? 0 : 1);
