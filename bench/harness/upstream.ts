// The emulators' process, seen from the orchestrator: start it, reset it between targets, set
// the injected latency, and count the upstream calls the targets make (/__control/stats).
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readyLine, startChild, stopChild, type Child } from './processes.ts';

const PROVIDERS = ['stripe', 'hubspot', 'openai'] as const;
export type Counts = Record<(typeof PROVIDERS)[number], number>;
export type EmulatorUrls = Record<(typeof PROVIDERS)[number], string>;

export const totalOf = (c: Counts) => c.stripe + c.hubspot + c.openai;

export class Emulators {
  private constructor(
    readonly child: Child,
    readonly urls: EmulatorUrls,
  ) {}

  static async start(env: NodeJS.ProcessEnv, logFile: string): Promise<Emulators> {
    const child = startChild('emulators', ['--import', 'tsx', path.join(import.meta.dirname, 'emulators.ts')], env, logFile);
    try {
      const { urls } = await readyLine<{ urls: EmulatorUrls }>(child);
      return new Emulators(child, urls);
    } catch (err) {
      await stopChild(child);
      throw err;
    }
  }

  private async control(method: 'GET' | 'POST', route: string, body?: unknown): Promise<Record<string, { total: number }>> {
    const out: Record<string, { total: number }> = {};
    await Promise.all(
      PROVIDERS.map(async (p) => {
        const res = await fetch(`${this.urls[p]}/__control/${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
        if (!res.ok) throw new Error(`${p} emulator /__control/${route}: HTTP ${res.status}`);
        out[p] = (await res.json()) as { total: number };
      }),
    );
    return out;
  }

  /** Back to the seed (so every target reads the same data), then the fixed latency. */
  async reset(latencyMs: number): Promise<void> {
    await this.control('POST', 'reset');
    await this.control('POST', 'faults', { latencyMs });
  }

  async counts(): Promise<Counts> {
    const stats = await this.control('GET', 'stats');
    return { stripe: stats.stripe!.total, hubspot: stats.hubspot!.total, openai: stats.openai!.total };
  }

  /**
   * The counts once the target has stopped calling upstream: requests still in flight when a load
   * run ends (or abandoned by it) make their calls after it, and belong to that run.
   */
  async settled(): Promise<Counts> {
    let last = await this.counts();
    for (let i = 0; i < 40; i++) {
      await sleep(250);
      const now = await this.counts();
      if (totalOf(now) === totalOf(last)) return now;
      last = now;
    }
    return last;
  }

  stop(): Promise<string> {
    return stopChild(this.child);
  }
}
