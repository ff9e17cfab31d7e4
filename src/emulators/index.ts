// Starts every connector module's emulator over one shared seed, so customer N is the same
// person in each emulated system and in the store's demo data. Which emulators exist, and on
// which ports, is what the modules declare (src/connectors/registry.ts).
import path from 'node:path';
import { CONNECTOR_MODULES, type ConnectorModuleName } from '../connectors/registry.ts';
import type { ConnectorModule } from '../connectors/module.ts';
import { DEFAULT_EMULATOR_PORTS } from '../config/connectors.ts';
import { seedCustomers } from '../demo/seed.ts';
import type { Emulator } from './http.ts';

export { Emulator } from './http.ts';
export { DEFAULT_EMULATOR_PORTS } from '../config/connectors.ts';

const EMULATED = (CONNECTOR_MODULES as unknown as ConnectorModule[]).filter((m) => m.emulator);

export type RunningEmulators = { [K in ConnectorModuleName]: Emulator } & {
  /** Base URL of each emulator, by module. */
  urls: { [K in ConnectorModuleName]: string };
  /** What `switchyard emulators` prints: where an SDK points, and each module's note. */
  describe(): string[];
  stop(): Promise<void>;
};

export interface StartEmulatorsOptions {
  host?: string;
  /** By module; 0 (the default) picks a free port. */
  ports?: Partial<Record<ConnectorModuleName, number>>;
  /** Number of seed customers (default 200). */
  customers?: number;
  /** A module's emulator options, by module (e.g. `{ <module>: { rateLimit: false } }`). */
  options?: Partial<Record<ConnectorModuleName, Record<string, unknown>>>;
  /** Keeps each emulator's data in `<stateDir>/<name>.json` across restarts (demo mode). */
  stateDir?: string;
}

export async function startEmulators(o: StartEmulatorsOptions = {}): Promise<RunningEmulators> {
  const host = o.host ?? '127.0.0.1';
  const customers = seedCustomers(o.customers ?? 200);
  const ports = o.ports as Record<string, number> | undefined;
  const options = o.options as Record<string, Record<string, unknown>> | undefined;
  const all = EMULATED.map((m) => ({ module: m, emulator: m.emulator!.create(customers, options?.[m.name]) }));
  const stopAll = async (): Promise<void> => {
    await Promise.all(all.map((e) => e.emulator.stop()));
  };
  if (o.stateDir) for (const { module, emulator } of all) emulator.persistTo(path.join(o.stateDir, `${module.name}.json`));
  try {
    const urls = await Promise.all(all.map(({ module, emulator }) => emulator.start(ports?.[module.name] ?? 0, host)));
    const running: Record<string, unknown> = Object.fromEntries(all.map(({ module, emulator }) => [module.name, emulator]));
    running.urls = Object.fromEntries(all.map(({ module }, i) => [module.name, urls[i]]));
    running.describe = () =>
      all.map(({ module }, i) => `${module.name}: ${urls[i]}${module.emulator!.sdkPath ?? ''}${module.emulator!.note ? ` (${module.emulator!.note})` : ''}`);
    running.stop = stopAll;
    return running as RunningEmulators;
  } catch (err) {
    // One port was taken: release the others so a retry with new ports can succeed.
    await stopAll();
    throw err;
  }
}

/** The fixed ports `switchyard emulators` and demo mode use, as DEMO_EMULATOR_PORTS sets them. */
export function fixedPorts(configured: Readonly<Record<string, number>> = DEFAULT_EMULATOR_PORTS): Partial<Record<ConnectorModuleName, number>> {
  return configured as Partial<Record<ConnectorModuleName, number>>;
}
