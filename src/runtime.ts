// Assembles a running Switchyard from Config: store (migrated), emulators in demo mode,
// connectors, HTTP server. The CLI's `start` and the e2e tests both come through here.
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createConnectors, type Connectors } from './connectors/index.ts';
import { openStore, type Store } from './connectors/store/index.ts';
import { fixedPorts, startEmulators, type RunningEmulators } from './emulators/index.ts';
import { anyDemo, isFullDemo } from './demo/mode.ts';
import { seedDemoCustomers } from './demo/store.ts';
import { createServer, type Server } from './server.ts';
import { assertAuditKeyConfigured, assertAuthenticationConfigured } from './auth/production.ts';
import { ApiKeys } from './auth/apiKeys.ts';
import { claimLiveStore, isDemoProcess, startDemoSession, type DemoSession } from './auth/demo.ts';
import { connectRedis } from './redis.ts';
import type { Redis } from 'ioredis';
import { createJobQueue, type JobQueue } from './jobs/index.ts';
import { releaseStartupMemory } from './ops/startupMemory.ts';

export interface Runtime {
  url: string;
  server: Server;
  connectors: Connectors;
  emulators: RunningEmulators | undefined;
  /** The background job queue, running on the store's database. */
  jobs: JobQueue;
  /** Some provider is emulated (the banner says DEMO). */
  demo: boolean;
  /** In demo mode only (src/auth/demo.ts): this session's demo API keys. */
  demoSession: DemoSession | undefined;
  /** Graceful: stop accepting, finish in-flight requests and jobs, stop emulators, close pools. */
  stop(): Promise<void>;
}

export { isFullDemo } from './demo/mode.ts';

/** Demo data lives apart from live data, so switching modes never mixes the two. */
export function embeddedDataDir(config: Config): string {
  return path.resolve(config.dataDir, isFullDemo(config) ? 'demo' : 'live', 'pglite');
}

/**
 * The emulators keep their data beside the embedded store, so a customer created in one demo
 * session still has its payments customer and CRM contact in the next. With DATABASE_URL the store
 * lives elsewhere and may be shared, so the emulators start fresh from the seed instead.
 */
function emulatorStateDir(config: Config): string | undefined {
  return config.databaseUrl ? undefined : path.resolve(embeddedDataDir(config), '..', 'emulators');
}

export async function openConfiguredStore(config: Config, logger: Logger): Promise<Store> {
  const where = config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: embeddedDataDir(config) };
  const store = await openStore({ ...where, cursorSecret: config.cursorSecret });
  const applied = await store.migrate();
  if (applied.length) logger.info({ applied }, 'migrations applied');
  if (isFullDemo(config)) {
    const seeded = await seedDemoCustomers(store);
    if (seeded) logger.info({ seeded }, 'demo customers seeded');
  }
  return store;
}

async function startDemoEmulators(config: Config, logger: Logger): Promise<RunningEmulators> {
  try {
    return await startEmulators({ ports: fixedPorts(config.emulatorPorts), stateDir: emulatorStateDir(config) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    // Fixed ports are taken (another Switchyard, or `npm run emulators`): any free port will do.
    logger.warn({ ports: config.emulatorPorts }, 'demo emulator ports in use; using free ports instead');
    return startEmulators({ stateDir: emulatorStateDir(config) });
  }
}

export async function startRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const demo = anyDemo(config);
  const store = await openConfiguredStore(config, logger);
  const jobs = createJobQueue(config, store, logger);
  let emulators: RunningEmulators | undefined;
  let redis: Redis | undefined;
  // Running jobs get most of the shutdown grace; the rest is for closing what they used.
  const jobGraceMs = Math.max(1_000, config.shutdownGraceMs - 2_000);
  let demoSession: DemoSession | undefined;
  try {
    // A process not in demo mode takes its store out of demo use for good.
    if (!isDemoProcess(config)) await claimLiveStore(store, logger);
    await assertAuthenticationConfigured(config, store);
    assertAuditKeyConfigured(config);
    emulators = demo ? await startDemoEmulators(config, logger) : undefined;
    redis = config.redisUrl ? await connectRedis(config.redisUrl, config.redisKeyPrefix, logger) : undefined;
    if (!redis) logger.info('REDIS_URL unset: caches, rate limits and quotas are in memory, for this process only');
    const connectors = createConnectors(config, store, emulators?.urls, { logger, redis });
    const server = await createServer(config, connectors, logger, {
      // A depth the database cannot give right now leaves the gauge out of this scrape, not /metrics.
      queueDepth: () => jobs.depth().catch(() => ({})),
      // The server declares its queues (webhooks) on `jobs`, which starts once they are.
      jobs,
    });
    await jobs.start();
    if (isDemoProcess(config)) {
      demoSession = await startDemoSession(new ApiKeys(store, { logger }), store, { ttlSeconds: config.demoKeyTtlSeconds, logger });
    }
    const gcMs = releaseStartupMemory();
    if (gcMs !== undefined) logger.debug({ ms: Math.round(gcMs) }, 'start-up garbage collected');
    const address = await server.app.listen({ host: config.host, port: config.port });
    const url = `${address.replace('0.0.0.0', 'localhost').replace('127.0.0.1', 'localhost')}/graphql`;
    if (emulators) await registerDemoWebhooks(connectors, emulators.urls, config.publicUrl ?? address, logger);
    return {
      url,
      server,
      connectors,
      emulators,
      jobs,
      demo,
      demoSession,
      async stop() {
        // Requests and jobs drain side by side; both need the store until they are done.
        await Promise.all([server.close(), jobs.stop(jobGraceMs)]);
        await demoSession?.stop().catch((err: unknown) => logger.warn({ err }, 'could not revoke the demo API keys; they expire on their own'));
        await emulators?.stop();
        await store.close();
        redis?.disconnect();
      },
    };
  } catch (err) {
    await jobs.stop(1_000).catch(() => {});
    await demoSession?.stop().catch(() => {});
    await emulators?.stop();
    await store.close();
    redis?.disconnect();
    throw err;
  }
}

/**
 * Demo mode: each emulated system that sends webhooks is pointed at this server's own
 * /webhooks/<instance>, signing with the instance's (generated) secret, so a payment made in the
 * emulator shows in the graph as it would with the real system.
 */
async function registerDemoWebhooks(connectors: Connectors, emulatorUrls: Readonly<Record<string, string>>, baseUrl: string, logger: Logger): Promise<void> {
  for (const c of connectors.configured) {
    const emulatorUrl = emulatorUrls[c.module.name];
    if (c.config.mode !== 'demo' || !c.module.webhooks?.register || !emulatorUrl) continue;
    const endpoint = `${baseUrl.replace(/\/+$/, '')}/webhooks/${c.config.name}`;
    await c.module.webhooks.register(emulatorUrl, endpoint, c.config.settings).then(
      () => logger.info({ connector: c.config.name, endpoint }, 'demo emulator sends its webhooks here'),
      (err: unknown) => logger.warn({ err, connector: c.config.name }, 'the emulator did not take the webhook endpoint; its events will not arrive'),
    );
  }
}
