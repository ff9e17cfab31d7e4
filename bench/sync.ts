// Import and reconciliation at scale, on embedded PGlite and, when DATABASE_URL is set, on Postgres:
// the payments and CRM emulators hold --customers people (10 000; their payments with them) with
// their real rate limits on (payments 25 requests a second for a test key, CRM 190 per ten
// seconds), and Switchyard's store is empty. Through the graph, as an operator would:
//   import       runImport to its end: seconds, and each emulator's requests, 429s and rate
//   reconcile    runReconciliation: the drift a fresh import leaves (the payments it does not copy)
//   fix          runReconciliation(fix: true): seconds, repairs
//   verify       runReconciliation again: seconds, drift (zero when every repair held)
// Prints one JSON object. Usage: npm run bench:sync [-- --customers 10000]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { createConnectors, type Connectors } from '../src/connectors/index.ts';
import { openStore } from '../src/connectors/store/index.ts';
import { startEmulators, type RunningEmulators } from '../src/emulators/index.ts';
import { JobQueue } from '../src/jobs/index.ts';
import { createServer, type Server } from '../src/server.ts';
import { createContext } from '../src/context.ts';
import { newScope, runInScope } from '../src/pipeline/scope.ts';
import type { SyncRunRecord } from '../src/connectors/store/index.ts';
import { BENCH_ADMIN } from './targets/shared.ts';
import { printPerBackend, type Backend } from './harness/backends.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CUSTOMERS = arg('customers', 10_000);
const logger = pino({ level: 'error' });
const round = (n: number) => Math.round(n * 10) / 10;

async function graph(server: Server, connectors: Connectors, query: string) {
  const scope = newScope(`bench-sync-${randomBytes(4).toString('hex')}`);
  const contextValue = createContext({
    requestId: scope.requestId,
    principal: BENCH_ADMIN,
    logger,
    connectors,
    services: server.services,
    signal: new AbortController().signal,
    scope,
  });
  const res = await runInScope(scope, () => server.apollo.executeOperation({ query }, { contextValue }));
  if (res.body.kind !== 'single') throw new Error('unexpected streamed answer');
  const { data, errors } = res.body.singleResult as { data?: Record<string, { id: string }>; errors?: { message: string }[] };
  if (errors?.length) throw new Error(errors.map((e) => e.message).join('; '));
  return Object.values(data!)[0]!.id;
}

/** What one run asked of each emulator: requests, by status, and the mean rate against its limit. */
function quota(emulators: RunningEmulators, seconds: number) {
  const one = (e: RunningEmulators['stripe']) => {
    const s = e.stats();
    return { requests: s.total, perSecond: round(s.total / seconds), byStatus: s.byStatus, byRoute: s.byRoute };
  };
  return { payments: one(emulators.stripe), crm: one(emulators.hubspot) };
}

async function phase(
  emulators: RunningEmulators,
  server: Server,
  connectors: Connectors,
  query: string,
): Promise<{ seconds: number; run: SyncRunRecord; quota: ReturnType<typeof quota> }> {
  emulators.stripe.resetStats();
  emulators.hubspot.resetStats();
  const started = performance.now();
  const id = await graph(server, connectors, query);
  let run: SyncRunRecord | null;
  for (;;) {
    run = await connectors.store.sync.get(id);
    if (run && (run.status === 'completed' || run.status === 'failed')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 'completed') throw new Error(`${run.kind} ended ${run.status}: ${run.error ?? ''}`);
  return { seconds: round(seconds), run, quota: quota(emulators, seconds) };
}

async function measure(backend: Backend) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sy-bench-sync-'));
  const schema = `sy_bench_${randomBytes(4).toString('hex')}`;
  const url = backend === 'postgres' ? process.env.DATABASE_URL : undefined;
  // Switchyard's defaults: its quotas are what keeps it under the providers' limits.
  const config = loadConfig({ NODE_ENV: 'test', DEMO: 'true', LOG_LEVEL: 'warn', DATA_DIR: dir, WORKFLOW_TRIGGERS: 'none' });
  const seeding = performance.now();
  const emulators = await startEmulators({ customers: CUSTOMERS });
  const seedSeconds = round((performance.now() - seeding) / 1000);
  const store = await openStore(url ? { databaseUrl: url, schema } : {});
  await store.migrate();
  const connectors = createConnectors(config, store, emulators.urls, { logger });
  const jobs = new JobQueue({ store, databaseUrl: url, schema: `${schema}_jobs`, pollIntervalMs: 500, logger });
  const server = await createServer(config, connectors, logger, { jobs });
  await jobs.start();
  try {
    const imported = await phase(emulators, server, connectors, 'mutation { runImport { id } }');
    const reconciled = await phase(emulators, server, connectors, 'mutation { runReconciliation { id } }');
    const fixed = await phase(emulators, server, connectors, 'mutation { runReconciliation(fix: true) { id } }');
    const verified = await phase(emulators, server, connectors, 'mutation { runReconciliation { id } }');
    const customers = (await store.customers.list({ first: 1 })).totalCount;
    const driftOf = async (run: SyncRunRecord) =>
      Object.fromEntries((await store.sync.driftCounts(run.id)).map((d) => [d.kind, { found: d.count, unrepaired: d.unrepaired }]));
    const payments = emulators.stripe.stats();
    return {
      customers: CUSTOMERS,
      emulatorSeedSeconds: seedSeconds,
      storeCustomersAfter: customers,
      import: { seconds: imported.seconds, counts: imported.run.counts, quota: imported.quota },
      reconcile: { seconds: reconciled.seconds, drift: await driftOf(reconciled.run), quota: reconciled.quota },
      fix: { seconds: fixed.seconds, counts: fixed.run.counts, drift: await driftOf(fixed.run), quota: fixed.quota },
      verify: { seconds: verified.seconds, drift: await driftOf(verified.run), quota: verified.quota },
      paymentsStreamsAfter: payments.streams,
    };
  } finally {
    await server.close();
    await jobs.stop(1_000);
    await emulators.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await printPerBackend(measure);
