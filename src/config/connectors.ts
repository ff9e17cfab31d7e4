// The connector modules' part of the configuration: their variables (assembled from the
// registry), the extra instances CONNECTOR_INSTANCES names, the emulator ports, POLICY_FILE.
// src/config.ts calls these; nothing here reads process.env.
import { z } from 'zod';
import { CONNECTOR_MODULES } from '../connectors/registry.ts';
import type { ConnectorModule, DemoSetting, InstanceConfig, ModuleEnvContext } from '../connectors/module.ts';
import { PolicyFileSchema, type PolicyFile } from '../pipeline/policies.ts';
import { ConfigError, invalid, readJsonFile } from './env.ts';

const MODULES: readonly ConnectorModule[] = CONNECTOR_MODULES as unknown as ConnectorModule[];
/** Modules whose emulator has a fixed port, in DEMO_EMULATOR_PORTS order. */
const PORTED = MODULES.filter((m) => m.emulator && m.emulator.port > 0);

export const CONNECTOR_INSTANCES_HELP = 'name:module pairs, comma-separated (e.g. groq:<an AI module>)';

interface ExtraInstance {
  name: string;
  module: ConnectorModule;
  prefix: string;
}

/** CONNECTOR_INSTANCES=name:module,... — extra instances of a module, each reading its own variables. */
export function parseInstances(raw: string | undefined): ExtraInstance[] {
  if (!raw) return [];
  const taken = new Set<string>(MODULES.map((m) => m.name));
  return raw.split(',').map((pair) => {
    const m = /^\s*([a-z][a-z0-9_]{0,30}):([a-z][a-z0-9_]*)\s*$/.exec(pair);
    if (!m) throw invalid('CONNECTOR_INSTANCES', `${JSON.stringify(pair)} is not name:module (${CONNECTOR_INSTANCES_HELP}; names in lower case)`);
    const [, name, moduleName] = m as unknown as [string, string, string];
    const module = MODULES.find((x) => x.name === moduleName);
    if (!module) throw invalid('CONNECTOR_INSTANCES', `no connector module ${moduleName} (modules: ${MODULES.map((x) => x.name).join(', ')})`);
    if (!module.envPrefix) throw invalid('CONNECTOR_INSTANCES', `the ${moduleName} module runs as one instance only`);
    if (taken.has(name)) throw invalid('CONNECTOR_INSTANCES', `the name ${name} is taken`);
    taken.add(name);
    return { name, module, prefix: `${name.toUpperCase()}_` };
  });
}

function renamed(module: ConnectorModule, prefix: string, name: string): string {
  return module.envPrefix && prefix !== module.envPrefix && name.startsWith(module.envPrefix) ? prefix + name.slice(module.envPrefix.length) : name;
}

/** Every module's variables, and those of the extra instances under their own prefix. */
export function connectorEnv(extra: readonly ExtraInstance[]): z.ZodRawShape {
  const shape: Record<string, z.ZodType> = {};
  for (const m of MODULES) Object.assign(shape, m.env);
  for (const x of extra) for (const [k, v] of Object.entries(x.module.env)) shape[renamed(x.module, x.prefix, k)] = v as z.ZodType;
  return shape;
}

export function connectorSecrets(extra: readonly ExtraInstance[]): string[] {
  return [...MODULES.flatMap((m) => m.secrets), ...extra.flatMap((x) => x.module.secrets.map((s) => renamed(x.module, x.prefix, s)))];
}

export function connectorInstances(env: Record<string, unknown>, demo: DemoSetting, extra: readonly ExtraInstance[]): InstanceConfig[] {
  const build = (name: string, module: ConnectorModule, prefix: string, fullDemo: boolean): InstanceConfig => {
    const ctx: ModuleEnvContext = { demo, fullDemo, prefix, v: (suffix) => `${prefix}${suffix}` };
    const { mode, settings } = module.settings(env, ctx);
    return { name, module: module.name, kind: module.kind, mode, settings };
  };
  // The required systems first: whether they are all emulated decides the optional ones.
  const required = new Map(MODULES.filter((m) => !m.optional).map((m) => [m.name, build(m.name, m, m.envPrefix ?? '', false)]));
  const fullDemo = [...required.values()].every((i) => i.mode !== 'live');
  const own = MODULES.map((m) => required.get(m.name) ?? build(m.name, m, m.envPrefix ?? '', fullDemo));
  return [...own, ...extra.map((x) => build(x.name, x.module, x.prefix, fullDemo))];
}

export const DEFAULT_EMULATOR_PORTS: Readonly<Record<string, number>> = Object.fromEntries(PORTED.map((m) => [m.name, m.emulator!.port]));

export const EmulatorPortsEnv = {
  DEMO_EMULATOR_PORTS: z
    .string()
    .regex(
      new RegExp(`^\\d+(,\\d+){${PORTED.length - 2},${PORTED.length - 1}}$`),
      `DEMO_EMULATOR_PORTS must be ${PORTED.length} ports: ${PORTED.map((m) => m.name).join(',')}`,
    )
    .default(Object.values(DEFAULT_EMULATOR_PORTS).join(',')),
};

/** The ports in registry order; the last one may be left out (the form before it existed): it then takes a free port. */
export function emulatorPorts(raw: string): Record<string, number> {
  const ports = raw.split(',').map(Number);
  if (ports.some((p) => p > 65_535)) throw invalid('DEMO_EMULATOR_PORTS', 'ports are 0 to 65535');
  return Object.fromEntries(PORTED.map((m, i) => [m.name, ports[i] ?? 0]));
}

/** Reads and validates POLICY_FILE; a bad file throws with the offending path named. */
export function loadPolicyFile(file: string): PolicyFile {
  return readJsonFile('POLICY_FILE', file, PolicyFileSchema);
}

/** A policy file may name modules (all their instances) and instances (that one). */
export function checkPolicyKeys(file: string, policies: PolicyFile, instances: readonly InstanceConfig[]): void {
  const known = new Set([...MODULES.map((m) => m.name), ...instances.map((i) => i.name)]);
  for (const key of Object.keys(policies)) {
    if (!known.has(key)) throw new ConfigError(`POLICY_FILE ${file}: ${key}: no connector module or instance of that name (known: ${[...known].join(', ')})`);
  }
}
