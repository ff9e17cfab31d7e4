// What explaining every operation costs:
//   overhead   per-request time of the audit + metrics plugins: the same no-I/O operation
//              ({ __typename }) through executeOperation with and without them
//   throughput audit records per second from write() until they are committed, chained, in
//              the table (PGlite; Postgres too when DATABASE_URL is set), and this process's
//              CPU per record meanwhile (on Postgres: the writer's, its serialisation and the
//              driver's; the server's is apart)
//   logging    CPU per request of its log line and its record's serialisation, the former
//              three lines with wildcard redaction beside today's one (bench/logging.ts)
// Prints one JSON object. Usage: npx tsx bench/audit.ts [-- --iterations 3000 --records 20000]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { ApolloServer } from '@apollo/server';
import { buildSchema } from '../src/schema.ts';
import { openDb } from '../src/connectors/store/db.ts';
import { createStore } from '../src/connectors/store/index.ts';
import { AuditWriter, auditPlugin, AUDIT_REDACTION_DEFAULTS } from '../src/plugins/audit/index.ts';
import { Metrics, METRICS_DEFAULTS, metricsPlugin } from '../src/plugins/metrics/index.ts';
import { Pipeline } from '../src/pipeline/index.ts';
import { PolicyTable } from '../src/pipeline/policies.ts';
import { MemoryCacheStore } from '../src/pipeline/cache/memory.ts';
import { alertRecord } from '../src/alerts/record.ts';
import { newScope } from '../src/pipeline/scope.ts';
import { ANONYMOUS } from '../src/auth/principal.ts';
import type { Context } from '../src/context.ts';
import { loggingCost } from './logging.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('iterations', 3000);
const RECORDS = arg('records', 20_000);
const logger = pino({ level: 'silent' });
const dir = mkdtempSync(path.join(os.tmpdir(), 'sy-bench-audit-'));

async function perRequest(plugins: ApolloServer<Context>['internals']['plugins']) {
  const apollo = new ApolloServer<Context>({ schema: buildSchema(), plugins });
  await apollo.start();
  const run = () => {
    const scope = newScope('bench');
    return apollo.executeOperation(
      { query: 'query Ping { __typename }', variables: { email: 'ada@example.com', n: 1 } },
      { contextValue: { requestId: 'bench', principal: ANONYMOUS, scope, logger } as unknown as Context },
    );
  };
  for (let i = 0; i < 300; i++) await run();
  const us: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = process.hrtime.bigint();
    await run();
    us.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  await apollo.stop();
  us.sort((a, b) => a - b);
  return { p50Us: Math.round(us[Math.floor(us.length / 2)]! * 10) / 10, p99Us: Math.round(us[Math.floor(us.length * 0.99)]! * 10) / 10 };
}

async function throughput(kind: 'pglite' | 'postgres') {
  const schema = `sy_bench_${randomBytes(4).toString('hex')}`;
  const store = createStore(await openDb(kind === 'postgres' ? { databaseUrl: process.env.DATABASE_URL!, schema } : {}));
  await store.migrate();
  const writer = new AuditWriter({ store: store.audit, logger, spoolDir: path.join(dir, kind) });
  const t = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < RECORDS; i++)
    writer.write(
      alertRecord({ condition: 'circuit', connector: 'stripe', operation: null, state: 'firing', message: `bench ${i}`, at: new Date().toISOString() }),
    );
  const left = await writer.flush(600_000);
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  await writer.close();
  await store.close();
  if (kind === 'postgres') {
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    await c.query(`drop schema ${schema} cascade`);
    await c.end();
  }
  return {
    records: RECORDS,
    left,
    seconds: Math.round(seconds * 100) / 100,
    recordsPerSecond: Math.round(RECORDS / seconds),
    cpuUsPerRecord: Math.round(((used.user + used.system) / RECORDS) * 10) / 10,
  };
}

const pipeline = new Pipeline({ policies: new PolicyTable({}, undefined), cache: new MemoryCacheStore(100), logger });
const metrics = new Metrics({ ...METRICS_DEFAULTS, pipeline, connectors: ['stripe', 'hubspot', 'openai'] });
const sink = { write: () => {} };
const without = await perRequest([]);
const withPlugins = await perRequest([auditPlugin({ sink, redaction: AUDIT_REDACTION_DEFAULTS }), metricsPlugin(metrics)]);
const result = {
  machine: { cpus: os.cpus().length, node: process.version },
  perRequest: { without, withAuditAndMetrics: withPlugins, addedP50Us: Math.round((withPlugins.p50Us - without.p50Us) * 10) / 10 },
  logging: loggingCost(),
  throughput: { pglite: await throughput('pglite'), ...(process.env.DATABASE_URL ? { postgres: await throughput('postgres') } : {}) },
};
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
