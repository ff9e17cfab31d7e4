// One case: a target answering one operation. The first request (cold: what it costs and calls
// upstream), a graceful warm-up, then the measured autocannon run with the target's CPU, the
// machine's CPU and the upstream calls around it.
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuBetween, cpuSeconds, cpuSnapshot, memory, waitForQuiet, type Child } from './processes.ts';
import { responseProblems, runLoad, runPaced, single, warmUp, type LoadResult } from './load.ts';
import type { Operation } from './operations.ts';
import type { TargetSpec } from './targets.ts';
import { totalOf, type Emulators } from './upstream.ts';
import type { CaseResult } from '../report.ts';

export interface CaseSettings {
  emulators: Emulators;
  connections: number;
  durationS: number;
  warmupS: number;
  /** Offered req/s of paced operations. */
  pacedRate: number;
  /** The first good response to each operation, by operation name: what the ceiling replays. */
  responses: Record<string, string>;
  /**
   * On a shared machine: a measured run during which other people's processes used more than
   * maxForeignPct (% of one core) is run again, up to `retries` times, once the machine is quiet.
   */
  retries: number;
  maxForeignPct: number;
  log: (line: string) => void;
}

const pct = (cpuS: number, wallS: number) => Math.round((cpuS / wallS) * 100);
const isAlive = (c: Child) => c.process.exitCode === null && c.process.signalCode === null;

/** Switchyard's /health/ready, whose connector entries name their last error (with an ops:read credential): why a case failed. */
async function readiness(url: string, headers: Record<string, string>): Promise<string> {
  try {
    return (await (await fetch(url.replace(/\/graphql$/, '/health/ready'), { headers })).text()).slice(0, 1_500);
  } catch (err) {
    return `unavailable (${(err as Error).message})`;
  }
}

export async function measureCase(
  s: CaseSettings,
  spec: TargetSpec,
  child: Child,
  url: string,
  headers: Record<string, string>,
  op: Operation,
): Promise<CaseResult> {
  const result: CaseResult = {
    target: spec.id,
    op: op.id,
    opTitle: op.title,
    ok: false,
    problems: [],
    first: undefined,
    load: undefined,
    upstream: undefined,
    cpuPct: undefined,
    cpuMsPerRequest: undefined,
    rssMb: undefined,
    window: undefined,
    attempts: 0,
  };
  const u0 = await s.emulators.settled();
  const first = await single(url, headers, op);
  const u1 = await s.emulators.settled();
  result.first = { ms: first.ms, upstreamCalls: totalOf(u1) - totalOf(u0) };
  result.problems.push(...responseProblems(first.status, first.body).map((p) => `first request: ${p}`));
  if (result.problems.length) return result;
  if (spec.id !== 'ceiling') s.responses[op.operationName] ??= first.body;

  // The paced case follows the closed-loop one on the same query: its caches are warm already.
  if (s.warmupS > 0 && !op.paced) {
    const w = await warmUp({ url, headers, op, connections: s.connections, durationS: s.warmupS });
    if (w.failures) result.problems.push(`warm-up: ${w.failures} of ${w.requests} requests failed`);
  }
  const ourPids = [child.pid, s.emulators.child.pid, process.pid];
  let attempt = 0;
  let alive: boolean;
  let load: LoadResult;
  for (;;) {
    attempt++;
    const before = await s.emulators.settled();
    const cpu0 = { target: cpuSeconds(child.pid), emulators: cpuSeconds(s.emulators.child.pid), self: cpuSeconds(process.pid), all: cpuSnapshot(ourPids) };
    const startUs = Number(process.hrtime.bigint() / 1000n);
    load = op.paced
      ? await runPaced({ url, headers, op, connections: s.connections, durationS: s.durationS, rate: s.pacedRate })
      : await runLoad({ url, headers, op, connections: s.connections, durationS: s.durationS });
    result.window = { startUs, endUs: Number(process.hrtime.bigint() / 1000n) };
    const wall = (result.window.endUs - startUs) / 1e6;
    alive = isAlive(child);
    if (alive) {
      const targetCpuS = cpuSeconds(child.pid) - cpu0.target;
      result.cpuMsPerRequest = load.requests ? Math.round((targetCpuS / load.requests) * 1e5) / 100 : undefined;
      result.cpuPct = {
        target: pct(targetCpuS, wall),
        emulators: pct(cpuSeconds(s.emulators.child.pid) - cpu0.emulators, wall),
        loadGenerator: pct(cpuSeconds(process.pid) - cpu0.self, wall),
        ...cpuBetween(cpu0.all, cpuSnapshot(ourPids)),
      };
      result.rssMb = memory(child.pid).rssMb;
    }
    const after = await s.emulators.settled();
    const calls = { stripe: after.stripe - before.stripe, hubspot: after.hubspot - before.hubspot, openai: after.openai - before.openai };
    const total = totalOf(calls);
    // Per request the target handled: those still in flight when autocannon stopped (at most one
    // per connection) made their calls too.
    const handled = op.paced ? load.sent : Math.min(load.sent, load.requests + s.connections);
    result.upstream = { ...calls, total, perRequest: handled ? Math.round((total / handled) * 100) / 100 : 0 };
    const foreign = result.cpuPct?.foreign ?? 0;
    if (!alive || foreign <= s.maxForeignPct || attempt > s.retries) break;
    s.log(`  ${spec.id.padEnd(10)} ${op.id.padEnd(13)} other processes used ${foreign}% CPU meanwhile: waiting for a quiet machine, then measuring again`);
    await waitForQuiet(ourPids, s.maxForeignPct / 2, 120_000);
    // The run's end cut requests in flight, which can open a breaker (see bench/README.md,
    // "Findings"): wait out its half-open delay (Switchyard: 5 s), let one request close it,
    // and warm up again.
    await sleep(6_000);
    await single(url, headers, op).catch(() => undefined);
    if (s.warmupS > 0 && !op.paced) await warmUp({ url, headers, op, connections: s.connections, durationS: s.warmupS });
  }
  result.attempts = attempt;
  result.load = load;

  if (!alive) result.problems.push(`target exited during the run (${await child.exited})`);
  if (load.requests === 0) result.problems.push('no request completed');
  if (load.non2xx) result.problems.push(`${load.non2xx} non-2xx responses`);
  if (load.socketErrors) result.problems.push(`${load.socketErrors} connection errors (${load.timeouts} timeouts)`);
  if (load.graphqlErrors) result.problems.push(`${load.graphqlErrors} of ${load.sampled} sampled responses carry GraphQL errors`);
  if (result.problems.length) {
    result.problems.push(...load.errorSamples);
    if (spec.id === 'switchyard' && alive) result.problems.push(`health: ${await readiness(url, headers)}`);
  }
  result.ok = result.problems.length === 0;
  return result;
}
