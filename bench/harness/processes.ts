// Child processes of a benchmark run: start, wait until they answer, read their CPU time and
// peak RSS from /proc, stop them.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or the signal) once the process has exited. */
  exited: Promise<string>;
  /** The first 64 kB it printed (stdout and stderr, both in logFile). */
  output(): string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node <args>` with stdout and stderr going straight to `logFile` (a target's request
 * logs never pass through the load generator's process).
 */
export function startChild(name: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Child {
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
  const output = () => {
    const head = Buffer.alloc(65_536);
    const f = openSync(logFile, 'r');
    try {
      return head.subarray(0, readSync(f, head, 0, head.length, 0)).toString();
    } finally {
      closeSync(f);
    }
  };
  return { name, process: child, pid: child.pid!, logFile, exited, output };
}

/** The last `bytes` of a child's log, for error messages. */
export function logTail(child: Child, bytes = 4_000): string {
  const f = openSync(child.logFile, 'r');
  try {
    const size = fstatSync(f).size;
    const buf = Buffer.alloc(Math.min(bytes, size));
    return buf.subarray(0, readSync(f, buf, 0, buf.length, size - buf.length)).toString();
  } finally {
    closeSync(f);
  }
}

/** Runs `node <args>` to its end; throws with the log's tail when it fails. */
export async function runToEnd(name: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  const child = startChild(name, args, env, logFile);
  const how = await child.exited;
  if (how !== '0') throw new Error(`${name} failed (${how}):\n${logTail(child)}`);
}

/** Waits for a line of JSON with `ready` on the child's stdout. */
export async function readyLine<T>(child: Child, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = child
      .output()
      .split('\n')
      .find((l) => l.startsWith('{"ready"'));
    if (line) return JSON.parse(line) as T;
    if (child.process.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error(`${child.name} did not start (log: ${child.logFile}):\n${logTail(child)}`);
}

/** Polls until `probe` succeeds: the target answers GraphQL. */
export async function waitUntil(child: Child, probe: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) break;
    if (await probe().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${child.name} did not answer (log: ${child.logFile}):\n${logTail(child)}`);
}

function status(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

const kbToMb = (v: string | undefined) => Math.round((Number.parseInt(v ?? '0', 10) / 1024) * 10) / 10;

/** Peak resident set (VmHWM) and current resident set (VmRSS) of a live process, in MB. */
export function memory(pid: number): { peakRssMb: number; rssMb: number } {
  const s = status(pid);
  return { peakRssMb: kbToMb(s.VmHWM), rssMb: kbToMb(s.VmRSS) };
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User + system CPU time a process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: Child, graceMs = 15_000): Promise<string> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return child.exited;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  const how = await child.exited;
  clearTimeout(timer);
  return how;
}

/**
 * CPU time the whole machine has spent busy (all cores), in seconds: `all`, and `processes`, the
 * part charged to processes (interrupt handling, such as loopback networking, is charged to none).
 */
export function machineBusySeconds(): { all: number; processes: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return { all: (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND, processes: (user + nice + system) / TICKS_PER_SECOND };
}

/** The store and cache servers: their CPU is part of what a target costs, not background load. */
const SERVICES = new Set(['postgres', 'redis-server']);

function servicePids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (SERVICES.has(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export interface CpuSnapshot {
  at: number;
  machine: { all: number; processes: number };
  ours: number;
  services: Map<number, number>;
}

/** CPU seconds so far: the whole machine's, our processes' (`pids`), and Postgres's and Redis's. */
export function cpuSnapshot(pids: number[]): CpuSnapshot {
  const services = new Map<number, number>();
  for (const pid of servicePids()) {
    try {
      services.set(pid, cpuSeconds(pid));
    } catch {
      // gone meanwhile
    }
  }
  let ours = 0;
  for (const pid of pids) {
    try {
      ours += cpuSeconds(pid);
    } catch {
      // exited
    }
  }
  return { at: performance.now(), machine: machineBusySeconds(), ours, services };
}

/**
 * CPU between two snapshots, in % of one core: `services` is Postgres and Redis, `foreign` what
 * neither we nor they used (other people's processes on a shared machine).
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): { machine: number; services: number; foreign: number } {
  const wall = (b.at - a.at) / 1000;
  let services = 0;
  for (const [pid, s] of b.services) services += s - (a.services.get(pid) ?? 0);
  const pct = (v: number) => Math.round((v / wall) * 100);
  const byProcesses = b.machine.processes - a.machine.processes;
  return { machine: pct(b.machine.all - a.machine.all), services: pct(services), foreign: Math.max(0, pct(byProcesses - (b.ours - a.ours) - services)) };
}

/** Waits (up to `timeoutMs`) until other people's processes leave the machine mostly idle. */
export async function waitForQuiet(pids: number[], maxForeignPct: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let foreign = Infinity;
  while (Date.now() < deadline) {
    const a = cpuSnapshot(pids);
    await sleep(1_000);
    foreign = cpuBetween(a, cpuSnapshot(pids)).foreign;
    if (foreign <= maxForeignPct) break;
  }
  return foreign;
}
