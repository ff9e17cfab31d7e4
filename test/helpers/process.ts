// Starts `switchyard start` as a real process (what `npm start` runs) and waits for its banner.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

// As production runs it. It runs dist/ only while that is a build of the sources as they are now,
// else the sources through tsx (src/dist.mjs), so what is tested is always the current sources.
export const BIN = path.resolve(import.meta.dirname, '../../src/bin.mjs');

export interface Started {
  child: ChildProcess;
  /** The GraphQL URL from the banner. */
  url: string;
  /** Everything the process printed so far. */
  output: () => string;
  /** SIGTERM, then the exit code (the signal's name when a signal ended it). */
  stop: () => Promise<number | string | null>;
}

/** `startMs`: how long to wait for the banner (a first start initialises the embedded store; a loaded machine is slow). */
export async function startProcess(env: Record<string, string>, opts: { startMs?: number } = {}): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: { ...process.env, PORT: '0', DEMO_EMULATOR_PORTS: '0,0,0', LOG_LEVEL: 'info', DATABASE_URL: '', REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running behind a failed test.
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${opts.startMs ?? 200_000} ms:\n${out}`));
    }, opts.startMs ?? 200_000);
    child.stdout!.on('data', () => {
      const m = /Switchyard is listening: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  return {
    child,
    url,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
