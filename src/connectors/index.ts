// Builds the shared connectors once per process from Config: one instance per configured module
// (and per CONNECTOR_INSTANCES entry), each keyed by its name in the pipeline, so each has its
// own breaker, quota and cache namespace. In demo mode an instance's base URL is its module's
// emulator, and the same SDK clients talk to it.
import type { Config } from '../config.ts';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Pipeline } from '../pipeline/index.ts';
import { PolicyTable, type PolicyDefaults, type PolicyFile } from '../pipeline/policies.ts';
import type { CacheStore } from '../pipeline/cache/index.ts';
import { MemoryCacheStore } from '../pipeline/cache/memory.ts';
import { RedisCacheStore } from '../pipeline/cache/redis.ts';
import { nameSystem } from '../errors/systems.ts';
import type { Store } from './store/index.ts';
import type { ConnectorKinds, ConnectorModule, InstanceConfig } from './module.ts';
import type { ConnectorInfo } from './domain/info.ts';
import { CONNECTOR_MODULES } from './registry.ts';

export interface Connectors {
  store: Store;
  /** The default instance of each kind (the first configured); `instances` has them all. */
  payments: ConnectorKinds['payments'];
  crm: ConnectorKinds['crm'];
  /** Every AI provider configured, side by side; the AI service picks among them. */
  aiProviders: ConnectorKinds['ai'][];
  /** The notification transports configured (none: nothing is sent). */
  notifiers: ConnectorKinds['notify'][];
  /** Every instance, in registry order: the banner, /health/ready and the console list these. */
  instances: ConnectorInfo[];
  /** Each configured instance with its module and what it built (webhooks find theirs here). */
  configured: ConfiguredInstance[];
  pipeline: Pipeline;
  /** Shared state across replicas, when REDIS_URL is set. */
  redis: Redis | undefined;
}

export interface ConfiguredInstance {
  config: InstanceConfig;
  module: ConnectorModule;
  built: unknown[];
}

export interface SharedInfra {
  logger: Logger;
  /** Present when REDIS_URL is set: caches, limits and quotas then hold across replicas. */
  redis?: Redis;
}

const MODULES = new Map<string, ConnectorModule>((CONNECTOR_MODULES as unknown as ConnectorModule[]).map((m) => [m.name, m]));

export function moduleOf(instance: InstanceConfig): ConnectorModule {
  return MODULES.get(instance.module)!;
}

export function createCacheStore(config: Config, redis: Redis | undefined): CacheStore {
  return redis ? new RedisCacheStore(redis) : new MemoryCacheStore(config.cacheMaxEntries);
}

/** Each instance's policy defaults (from its module and settings), and the file's overrides: the module's, then the instance's own. */
export function policyTable(instances: readonly InstanceConfig[], file: PolicyFile = {}): PolicyTable {
  const defaults: Record<string, PolicyDefaults> = {};
  const overrides: PolicyFile = {};
  for (const i of instances) {
    const m = moduleOf(i);
    defaults[i.name] = { policy: m.policy(i.settings), operations: m.operations };
    const [base, own] = [file[m.name], i.name !== m.name ? file[i.name] : undefined];
    if (base || own) overrides[i.name] = mergeOverrides(base, own);
  }
  return new PolicyTable(overrides, defaults);
}

function mergeOverrides(a: PolicyFile[string] | undefined, b: PolicyFile[string] | undefined): PolicyFile[string] {
  if (!a || !b) return (a ?? b)!;
  return { ...a, ...b, breaker: { ...a.breaker, ...b.breaker }, operations: { ...a.operations, ...b.operations } };
}

export function createConnectors(config: Config, store: Store, emulators: Readonly<Record<string, string>> | undefined, infra: SharedInfra): Connectors {
  const pipeline = new Pipeline({
    policies: policyTable(config.connectors, config.policies),
    cache: createCacheStore(config, infra.redis),
    redis: infra.redis,
    logger: infra.logger,
    principalShare: config.outbound.principalShare,
  });
  const byKind: { [K in keyof ConnectorKinds]: ConnectorKinds[K][] } = { payments: [], crm: [], ai: [], notify: [] };
  const configured: ConfiguredInstance[] = [];
  for (const instance of config.connectors) {
    if (instance.mode === 'off') continue;
    const m = moduleOf(instance);
    const emulatorUrl = emulators?.[m.name];
    if (instance.mode === 'demo' && !emulatorUrl) throw new Error(`Demo mode needs the ${m.name} emulator to be running`);
    nameSystem(instance.name, m.displayName);
    const built = m.create(instance.settings, instance.mode, { name: instance.name, pipeline, logger: infra.logger, emulatorUrl });
    (byKind[m.kind] as unknown[]).push(...built);
    configured.push({ config: instance, module: m, built });
  }
  // Payments and the CRM are the graph's own fields: one of each is required (demo supplies them).
  const [payments, crm] = [byKind.payments[0], byKind.crm[0]];
  if (!payments || !crm) throw new Error('A payments and a CRM connector are required');
  return {
    store,
    pipeline,
    redis: infra.redis,
    payments,
    crm,
    aiProviders: byKind.ai,
    notifiers: byKind.notify,
    instances: [...byKind.payments, ...byKind.crm, ...byKind.ai, ...byKind.notify],
    configured,
  };
}
