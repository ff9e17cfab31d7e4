// Demo mode, read from the connector instances: each is live, emulated (demo) or off.
import type { Config } from '../config.ts';

/** Every configured system is emulated: nothing real is called, and the embedded store is the demo one. */
export function isFullDemo(config: Pick<Config, 'connectors'>): boolean {
  return !config.connectors.some((c) => c.mode === 'live');
}

/** Some system is emulated: the emulators must run (the banner says DEMO). */
export function anyDemo(config: Pick<Config, 'connectors'>): boolean {
  return config.connectors.some((c) => c.mode === 'demo');
}
