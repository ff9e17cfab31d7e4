// Webhooks in, on embedded PGlite and, when DATABASE_URL is set, on Postgres:
//   accept     signed Stripe events posted over HTTP (--inflight at once, 8): events/s, and ms from send
//              to the 200 (signature check, inbox insert and enqueue in one transaction)
//   process    events/s from the first accepted to the backlog empty (each re-reads its payment)
//   visible    ms from a refund made at the provider, its event posted, to the new total in the graph
// Prints one JSON object. Usage: npm run bench:webhooks [-- --events 2000 --inflight 8]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import Stripe from 'stripe';
import { loadConfig } from '../src/config.ts';
import { createConnectors } from '../src/connectors/index.ts';
import { openStore } from '../src/connectors/store/index.ts';
import { DEMO_SECRET_KEY } from '../src/connectors/stripe/index.ts';
import { seedDemoCustomers } from '../src/demo/store.ts';
import { seedCustomers } from '../src/demo/seed.ts';
import { startEmulators } from '../src/emulators/index.ts';
import { JobQueue } from '../src/jobs/index.ts';
import { createServer } from '../src/server.ts';
import { createContext } from '../src/context.ts';
import { newScope, runInScope } from '../src/pipeline/scope.ts';
import { BENCH_ADMIN } from './targets/shared.ts';
import { printPerBackend, type Backend } from './harness/backends.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg('events', 2000);
const INFLIGHT = arg('inflight', 8);
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const logger = pino({ level: 'warn' });
const q = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (n: number) => Math.round(n * 10) / 10;

async function measure(backend: Backend) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sy-bench-webhooks-'));
  const schema = `sy_bench_${randomBytes(4).toString('hex')}`;
  const url = backend === 'postgres' ? process.env.DATABASE_URL : undefined;
  const policy = path.join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ stripe: { quota: { points: 100_000, durationMs: 1_000 }, bulkhead: { concurrency: 50, queue: 10_000 } } }));
  const config = loadConfig({
    NODE_ENV: 'test',
    DEMO: 'true',
    LOG_LEVEL: 'warn',
    DATA_DIR: dir,
    STRIPE_WEBHOOK_SECRET: SECRET,
    POLICY_FILE: policy,
    INBOUND_RATE_LIMIT: '100000000',
  });
  const emulators = await startEmulators({ options: { hubspot: { rateLimit: false }, stripe: { rateLimit: false } } });
  const store = await openStore(url ? { databaseUrl: url, schema } : {});
  await store.migrate();
  await seedDemoCustomers(store);
  const connectors = createConnectors(config, store, emulators.urls, { logger });
  const jobs = new JobQueue({ store, databaseUrl: url, schema: `${schema}_jobs`, pollIntervalMs: 500, logger });
  const server = await createServer(config, connectors, logger, { jobs });
  await jobs.start();
  const base = await server.app.listen({ host: '127.0.0.1', port: 0 });
  const u = new URL(emulators.urls.stripe);
  const stripe = new Stripe(DEMO_SECRET_KEY, { host: u.hostname, port: Number(u.port), protocol: 'http', maxNetworkRetries: 0 });
  const payments = seedCustomers(200).flatMap((c) => c.payments);
  const post = async (payload: string) => {
    const t = performance.now();
    const res = await fetch(`${base}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }) },
      body: payload,
    });
    if (res.status !== 200) throw new Error(`accept answered ${res.status}`);
    await res.arrayBuffer();
    return performance.now() - t;
  };
  try {
    const event = (i: number, pi: string, type = 'payment_intent.updated') =>
      JSON.stringify({
        id: `evt_${schema}_${i}`,
        object: 'event',
        type,
        created: Math.floor(Date.now() / 1000),
        data: { object: { id: pi, object: 'payment_intent' } },
      });
    const latencies: number[] = [];
    const started = performance.now();
    for (let i = 0; i < EVENTS; i += INFLIGHT) {
      const batch = Array.from({ length: Math.min(INFLIGHT, EVENTS - i) }, (_, k) => event(i + k, payments[(i + k) % payments.length]!.id));
      latencies.push(...(await Promise.all(batch.map(post))));
    }
    const acceptS = (performance.now() - started) / 1000;
    for (;;) {
      const b = await store.webhooks.backlog();
      if (b.received + b.failed === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const processS = (performance.now() - started) / 1000;
    // Change to visible: a refund at the provider, its event, then the graph's total until it moves.
    const total = async () => {
      const scope = newScope(`bench-${Math.random()}`);
      const contextValue = createContext({
        requestId: scope.requestId,
        principal: BENCH_ADMIN,
        logger,
        connectors,
        services: server.services,
        signal: new AbortController().signal,
        scope,
      });
      const res = await runInScope(scope, () =>
        server.apollo.executeOperation({ query: '{ customer(id: "cust_demo0010") { totalPaid { amount } } }' }, { contextValue }),
      );
      return JSON.stringify(res.body.kind === 'single' ? res.body.singleResult.data : null);
    };
    const visible: number[] = [];
    const [pi] = (await stripe.paymentIntents.list({ customer: 'cus_demo000010' })).data.filter((p) => p.status === 'succeeded');
    for (let i = 0; i < 10; i++) {
      const before = await total();
      await stripe.refunds.create({ payment_intent: pi!.id, amount: 1 });
      const t = performance.now();
      await post(event(EVENTS + i, pi!.id, 'charge.refunded'));
      while ((await total()) === before) await new Promise((r) => setTimeout(r, 10));
      visible.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);
    visible.sort((a, b) => a - b);
    return {
      events: EVENTS,
      inflight: INFLIGHT,
      acceptPerSecond: Math.round(EVENTS / acceptS),
      acceptMs: { p50: round(q(latencies, 50)), p99: round(q(latencies, 99)) },
      processedPerSecond: Math.round(EVENTS / processS),
      changeToVisibleMs: { p50: round(q(visible, 50)), max: round(visible.at(-1)!) },
    };
  } finally {
    await server.app.close();
    await jobs.stop(1_000);
    await emulators.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await printPerBackend(measure);
