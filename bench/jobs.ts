// The job queue's two figures, on embedded PGlite and, when DATABASE_URL is set, on Postgres:
//   enqueue   jobs/s added one after another, and with 10 at a time (nothing picks them up)
//   selectOne ms per `select 1`: what the machine gives any statement right now
//   pickup    ms from enqueue to the handler starting, for jobs sent one at a time to an idle
//             worker (woken by LISTEN/NOTIFY; polling every 2 s is the backstop)
// Prints one JSON object. Usage: npx tsx bench/jobs.ts [-- --jobs 2000 --pickups 100]
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { z } from 'zod';
import { openStore } from '../src/connectors/store/index.ts';
import { JobQueue } from '../src/jobs/index.ts';
import { printPerBackend, type Backend } from './harness/backends.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const JOBS = arg('jobs', 2000);
const PICKUPS = arg('pickups', 100);
const logger = pino({ level: 'warn' });
const q = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

async function measure(backend: Backend) {
  const schema = `sy_bench_${randomBytes(4).toString('hex')}`;
  const url = backend === 'postgres' ? process.env.DATABASE_URL : undefined;
  const store = await openStore(url ? { databaseUrl: url, schema } : {});
  await store.migrate();
  const waiting = new Map<number, (at: number) => void>();
  const queue = new JobQueue({ store, databaseUrl: url, schema: `${schema}_jobs`, pollIntervalMs: 2_000, logger })
    .define({ name: 'bench-held', schema: z.object({ i: z.number() }), handler: async () => {} })
    .define({ name: 'bench-pickup', schema: z.object({ i: z.number() }), handler: async ({ i }) => waiting.get(i)?.(performance.now()) });
  await queue.start();
  try {
    // The floor beneath every figure: one trivial statement, on this machine as loaded now.
    let t = performance.now();
    for (let i = 0; i < 200; i++) await store.db.query('select 1');
    const selectMs = (performance.now() - t) / 200;
    // Held for an hour, so the workers' polling is the only other load.
    const held = { delaySeconds: 3_600 };
    t = performance.now();
    for (let i = 0; i < JOBS; i++) await queue.enqueue('bench-held', { i }, held);
    const sequential = JOBS / ((performance.now() - t) / 1000);
    t = performance.now();
    for (let i = 0; i < JOBS; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => queue.enqueue('bench-held', { i: i + k }, held)));
    const concurrent = JOBS / ((performance.now() - t) / 1000);
    t = performance.now();
    for (let i = 0; i < JOBS / 10; i++) await store.transaction((tx) => queue.enqueue(tx, 'bench-held', { i }, held));
    const inTransaction = JOBS / 10 / ((performance.now() - t) / 1000);

    const latencies: number[] = [];
    for (let i = 0; i < PICKUPS; i++) {
      const ran = new Promise<number>((resolve) => waiting.set(i, resolve));
      const sent = performance.now();
      await queue.enqueue('bench-pickup', { i });
      latencies.push((await ran) - sent);
      await new Promise((r) => setTimeout(r, 20));
    }
    latencies.sort((a, b) => a - b);
    return {
      selectOneMs: round2(selectMs),
      enqueuePerSecond: { sequential: Math.round(sequential), tenAtATime: Math.round(concurrent), inOwnTransaction: Math.round(inTransaction) },
      pickupMs: { p50: round(q(latencies, 50)), p95: round(q(latencies, 95)), max: round(latencies.at(-1)!) },
    };
  } finally {
    await queue.stop(1_000);
    await store.close();
    if (url) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade; drop schema if exists ${schema}_jobs cascade`);
      await client.end();
    }
  }
}

await printPerBackend(measure, { jobs: JOBS, pickups: PICKUPS });
