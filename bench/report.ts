// The run's results as JSON (bench/results/, git-ignored) and as markdown tables (printed, and
// with --readme written into bench/README.md between its results markers).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadResult } from './harness/load.ts';
import type { OperationId } from './harness/operations.ts';
import type { TargetId } from './harness/targets.ts';

export interface Upstream {
  stripe: number;
  hubspot: number;
  openai: number;
  total: number;
  /** total / requests the target handled (completed, plus those in flight when the run ended). */
  perRequest: number;
}

export interface CaseResult {
  target: TargetId;
  op: OperationId;
  opTitle: string;
  ok: boolean;
  problems: string[];
  /** The first request, before any warm-up: cold caches, and what it made upstream. */
  first: { ms: number; upstreamCalls: number } | undefined;
  load: LoadResult | undefined;
  upstream: Upstream | undefined;
  /**
   * CPU used during the measured run, in % of one core. machine: every process (100% x cores when
   * saturated); services: Postgres and Redis; foreign: other people's processes on a shared machine.
   */
  cpuPct: { target: number; emulators: number; loadGenerator: number; machine: number; services: number; foreign: number } | undefined;
  /** The target's own CPU time per completed request, in ms: its cost, whatever else shares the machine. */
  cpuMsPerRequest: number | undefined;
  /** The target's resident set right after the case. */
  rssMb: number | undefined;
  /** When the measured run ran, in µs of the monotonic clock V8's profiles use (bench/profile.ts --case). */
  window: { startUs: number; endUs: number } | undefined;
  /** Measured runs made: more than one when other processes loaded the machine (see CaseSettings). */
  attempts: number;
}

export interface TargetResult {
  id: TargetId;
  title: string;
  peakRssMb: number | undefined;
  /** Resident set once started and answering, before any load. */
  startRssMb: number | undefined;
  exit: string | undefined;
  problems: string[];
  profile: string | undefined;
  cases: CaseResult[];
}

export interface Goal {
  goal: string;
  measured: string;
  /** null: not assessed in this run (a target or case missing, or quick mode). */
  met: boolean | null;
}

export interface RunReport {
  bench: 'gateways';
  startedAt: string;
  mode: 'full' | 'quick';
  /** backgroundCpuPct: CPU other processes used (all cores, % of one) just before the run. */
  machine: { cpus: number; cpuModel: string; node: string; os: string; backgroundCpuPct: number };
  settings: {
    upstreamLatencyMs: number;
    /** Offered req/s of the paced cases. */
    pacedRate: number;
    connections: number;
    durationS: number;
    warmupS: number;
    store: 'postgres' | 'pglite';
    cache: 'redis' | 'memory';
    auth: string;
    switchyardLogLevel: string;
    /** NODE_OPTIONS given to every target (--node-options), empty by default. */
    nodeOptions: string;
  };
  targets: TargetResult[];
  goals: Goal[];
  ok: boolean;
}

// The goals (as ratios within one run, so the machine's speed cancels out).
const GOAL_READ_SHARE = 0.9;
const GOAL_NESTED_SHARE = 1.5;
const GOAL_NESTED_CPU_VS_JIT = 1.5;
const GOAL_PEAK_RSS_MB = 300;
const GOAL_START_RSS_MB = 120;

function findCase(r: Pick<RunReport, 'targets'>, target: TargetId, op: OperationId): CaseResult | undefined {
  return r.targets.find((t) => t.id === target)?.cases.find((c) => c.op === op && c.ok && c.load);
}

function shareGoal(r: Omit<RunReport, 'goals' | 'ok'>, op: OperationId, what: string, atLeast: number): Goal {
  const goal = `${what}: Switchyard >= ${atLeast * 100}% of bare Apollo's req/s`;
  const sy = findCase(r, 'switchyard', op);
  const ap = findCase(r, 'apollo', op);
  if (!sy?.load || !ap?.load) return { goal, measured: 'not measured', met: null };
  const share = sy.load.rps / ap.load.rps;
  return { goal, measured: `${(share * 100).toFixed(0)}% (${sy.load.rps} vs ${ap.load.rps} req/s)`, met: share >= atLeast };
}

export function evaluateGoals(r: Omit<RunReport, 'goals' | 'ok'>): Goal[] {
  const goals: Goal[] = [
    shareGoal(r, 'cached', 'cached read', GOAL_READ_SHARE),
    shareGoal(r, 'customer', 'store-only read', GOAL_READ_SHARE),
    shareGoal(r, 'nested', 'nested query', GOAL_NESTED_SHARE),
  ];
  const sy = findCase(r, 'switchyard', 'nested')?.cpuMsPerRequest;
  const jit = findCase(r, 'mercurius', 'nested')?.cpuMsPerRequest;
  const cpuGoal = `nested query: Switchyard's CPU per request within ${GOAL_NESTED_CPU_VS_JIT}x Mercurius + graphql-jit's`;
  goals.push(
    sy === undefined || jit === undefined
      ? { goal: cpuGoal, measured: 'not measured', met: null }
      : { goal: cpuGoal, measured: `${(sy / jit).toFixed(2)}x (${sy.toFixed(2)} vs ${jit.toFixed(2)} ms)`, met: sy / jit <= GOAL_NESTED_CPU_VS_JIT },
  );
  const target = r.targets.find((t) => t.id === 'switchyard');
  const peak = target?.peakRssMb;
  goals.push({
    goal: `Switchyard peak RSS <= ${GOAL_PEAK_RSS_MB} MB (nested load)`,
    measured: peak === undefined ? 'not measured' : `${peak} MB`,
    met: peak === undefined ? null : peak <= GOAL_PEAK_RSS_MB,
  });
  const start = target?.startRssMb;
  goals.push({
    goal: `Switchyard RSS at start <= ${GOAL_START_RSS_MB} MB${r.settings.store === 'postgres' ? '' : ' (assessed with Postgres only)'}`,
    measured: start === undefined ? 'not measured' : `${start} MB`,
    met: start === undefined || r.settings.store !== 'postgres' ? null : start <= GOAL_START_RSS_MB,
  });
  return goals;
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));
/** autocannon's latencies are whole milliseconds (0: under one); the paced runs' have decimals. */
const ms = (n: number | undefined) => (n === 0 ? '<1' : n !== undefined && n < 10 && !Number.isInteger(n) ? n.toFixed(1) : fmt(n));

/** How much other people's processes took during the measured runs (a shared machine). */
function contention(r: RunReport): string {
  const cases = r.targets.flatMap((t) => t.cases);
  const most = Math.max(0, ...cases.map((c) => c.cpuPct?.foreign ?? 0));
  const again = cases.filter((c) => c.attempts > 1).length;
  return (
    `Other processes' CPU during the measured runs: at most ${most}% of ${r.machine.cpus * 100}%` +
    (again ? ` (${again} case${again > 1 ? 's' : ''} measured again after a busier first try).` : '.')
  );
}

export function markdown(r: RunReport): string {
  const s = r.settings;
  const lines: string[] = [];
  lines.push(
    `Measured ${r.startedAt.slice(0, 10)} (${r.mode} run) on ${r.machine.cpus} CPU${r.machine.cpus === 1 ? '' : 's'} (${r.machine.cpuModel}), Node ${r.machine.node}, ${r.machine.os}. ` +
      `Upstream latency ${s.upstreamLatencyMs} ms injected at every emulator; ${s.connections} connections, ${s.durationS} s per case after ${s.warmupS} s of warm-up ` +
      `(closed loop: each connection sends its next request when it has its answer; the paced case sends at an even ${s.pacedRate} req/s, at most ${s.connections} in flight). ` +
      `Store: ${s.store}; pipeline cache: ${s.cache}; Switchyard auth: ${s.auth}, LOG_LEVEL=${s.switchyardLogLevel}. ` +
      `${contention(r)}` +
      (s.nodeOptions ? ` NODE_OPTIONS for every target: \`${s.nodeOptions}\`.` : ''),
    '',
  );
  const ops = [...new Map(r.targets.flatMap((t) => t.cases.map((c) => [c.op, c.opTitle] as const))).entries()];
  for (const [op, title] of ops) {
    const apollo = findCase(r, 'apollo', op)?.load?.rps;
    const paced = op === 'nestedPaced' ? ` at an even ${s.pacedRate} req/s` : '';
    lines.push(`**${title}${paced}**`, '');
    lines.push(
      '| target | req/s | vs Apollo | p50 ms | p99 ms | CPU ms/req | upstream calls/req | first request: ms, calls | CPU: target / machine / other | errors |',
    );
    lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|---|');
    for (const t of r.targets) {
      const c = t.cases.find((x) => x.op === op);
      if (!c) continue;
      const l = c.load;
      const vs = l && apollo ? `${((l.rps / apollo) * 100).toFixed(0)}%` : '–';
      const first = c.first ? `${fmt(c.first.ms)}, ${c.first.upstreamCalls}` : '–';
      const errors = c.ok ? 'none' : c.problems.slice(0, 2).join('; ').replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 160);
      lines.push(
        `| ${t.title} | ${fmt(l?.rps)} | ${vs} | ${ms(l?.latencyMs.p50)} | ${ms(l?.latencyMs.p99)} | ${fmt(c.cpuMsPerRequest, 2)} | ${fmt(c.upstream?.perRequest, 2)} | ${first} | ${c.cpuPct ? `${fmt(c.cpuPct.target)}% / ${fmt(c.cpuPct.machine)}% / ${fmt(c.cpuPct.foreign)}%` : '–'} | ${errors} |`,
      );
    }
    lines.push('');
  }
  lines.push('| target | RSS at start | peak RSS (VmHWM) |', '|---|--:|--:|');
  const mb = (v: number | undefined) => (v === undefined ? '–' : `${v.toFixed(0)} MB`);
  for (const t of r.targets) lines.push(`| ${t.title} | ${mb(t.startRssMb)} | ${mb(t.peakRssMb)} |`);
  lines.push('', '| goal | measured | |', '|---|---|---|');
  for (const g of r.goals) lines.push(`| ${g.goal} | ${g.measured} | ${g.met === null ? 'not assessed' : g.met ? '**met**' : '**missed**'} |`);
  return lines.join('\n') + '\n';
}

export function writeResults(r: RunReport, dir: string): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const stamp = r.startedAt.replace(/[:.]/g, '-');
  const json = path.join(dir, `gateways-${r.mode}-${stamp}.json`);
  writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
  writeFileSync(path.join(dir, `gateways-${r.mode}-latest.json`), JSON.stringify(r, null, 2) + '\n');
  const md = markdown(r);
  return { json, md };
}

/** Replaces the results between the markers of bench/README.md for this run's cache (memory or redis). */
export function updateReadme(file: string, md: string, cache: RunReport['settings']['cache']): void {
  const START = `<!-- bench:results:${cache}:start -->`;
  const END = `<!-- bench:results:${cache}:end -->`;
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${file} has no ${START} ... ${END} markers`);
  writeFileSync(file, `${text.slice(0, a + START.length)}\n${md}${text.slice(b)}`);
}

// `npx tsx bench/report.ts <results.json> [--readme]`: renders a saved run again (after a change
// to these tables, say), and with --readme writes it into bench/README.md.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx bench/report.ts <results.json> [--readme]\n');
    process.exit(2);
  }
  const saved = JSON.parse(readFileSync(file, 'utf8')) as RunReport;
  const run: RunReport = { ...saved, goals: evaluateGoals(saved) };
  const md = markdown(run);
  process.stdout.write(md);
  if (process.argv.includes('--readme')) updateReadme(path.resolve(import.meta.dirname, 'README.md'), md, run.settings.cache);
}
