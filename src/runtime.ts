// Assembles a running Switchyard from Config: store (migrated), emulators in demo mode,
// connectors, HTTP server. The CLI's `start` and the e2e tests both come through here.
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createConnectors, type Connectors } from './connectors/index.ts';
import { openStore, type Store } from './connectors/store/index.ts';
import { startEmulators, type RunningEmulators } from './emulators/index.ts';
import { createServer, type Server } from './server.ts';
import { assertAuthenticationConfigured } from './auth/production.ts';
import { connectRedis } from './redis.ts';
import type { Redis } from 'ioredis';

export interface Runtime {
  url: string;
  server: Server;
  connectors: Connectors;
  emulators: RunningEmulators | undefined;
  demo: boolean;
  /** Graceful: stop accepting, finish in-flight requests, stop emulators, close pools. */
  stop(): Promise<void>;
}

export function isFullDemo(config: Config): boolean {
  return config.stripe.mode === 'demo' && config.hubspot.mode === 'demo' && config.openai.mode === 'demo';
}

/** Demo data lives apart from live data, so switching modes never mixes the two. */
export function embeddedDataDir(config: Config): string {
  return path.resolve(config.dataDir, isFullDemo(config) ? 'demo' : 'live', 'pglite');
}

/**
 * The emulators keep their data beside the embedded store, so a customer created in one demo
 * session still has its Stripe customer and CRM contact in the next. With DATABASE_URL the store
 * lives elsewhere and may be shared, so the emulators start fresh from the seed instead.
 */
function emulatorStateDir(config: Config): string | undefined {
  return config.databaseUrl ? undefined : path.resolve(embeddedDataDir(config), '..', 'emulators');
}

export async function openConfiguredStore(config: Config, logger: Logger): Promise<Store> {
  const store = await openStore(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: embeddedDataDir(config) });
  const applied = await store.migrate();
  if (applied.length) logger.info({ applied }, 'migrations applied');
  if (isFullDemo(config)) {
    const seeded = await store.seedDemo();
    if (seeded) logger.info({ seeded }, 'demo customers seeded');
  }
  return store;
}

async function startDemoEmulators(config: Config, logger: Logger): Promise<RunningEmulators> {
  try {
    return await startEmulators({ ports: config.emulatorPorts, stateDir: emulatorStateDir(config) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    // Fixed ports are taken (another Switchyard, or `npm run emulators`): any free port will do.
    logger.warn({ ports: config.emulatorPorts }, 'demo emulator ports in use; using free ports instead');
    return startEmulators({ ports: { stripe: 0, hubspot: 0, openai: 0, anthropic: 0 }, stateDir: emulatorStateDir(config) });
  }
}

export async function startRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const demo = [config.stripe, config.hubspot, config.openai].some((p) => p.mode === 'demo');
  const store = await openConfiguredStore(config, logger);
  let emulators: RunningEmulators | undefined;
  let redis: Redis | undefined;
  try {
    await assertAuthenticationConfigured(config, store);
    emulators = demo ? await startDemoEmulators(config, logger) : undefined;
    redis = config.redisUrl ? await connectRedis(config.redisUrl, config.redisKeyPrefix, logger) : undefined;
    if (!redis) logger.info('REDIS_URL unset: caches, rate limits and quotas are in memory, for this process only');
    const connectors = createConnectors(config, store, emulators?.urls, { logger, redis });
    const server = await createServer(config, connectors, logger);
    const address = await server.app.listen({ host: config.host, port: config.port });
    const url = `${address.replace('0.0.0.0', 'localhost').replace('127.0.0.1', 'localhost')}/graphql`;
    return {
      url,
      server,
      connectors,
      emulators,
      demo,
      async stop() {
        await server.close();
        await emulators?.stop();
        await store.close();
        redis?.disconnect();
      },
    };
  } catch (err) {
    await emulators?.stop();
    await store.close();
    redis?.disconnect();
    throw err;
  }
}
