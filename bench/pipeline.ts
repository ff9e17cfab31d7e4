// What the pipeline itself costs per call, beside a direct SDK call to the Stripe emulator:
//   direct     stripe.paymentIntents.retrieve, no pipeline
//   miss       the same call through the whole pipeline, each call a new cache key
//   hit        the same call answered from the cache
//   open       a call while the circuit is open (fails fast, never reaches Stripe)
// Prints one JSON object. Usage: npm run bench:pipeline [-- --iterations 2000]
// With REDIS_URL set, the cache and quota run on Redis as they would across replicas.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pino from 'pino';
import { startEmulators } from '../src/emulators/index.ts';
import { Pipeline } from '../src/pipeline/index.ts';
import { PolicyTable } from '../src/pipeline/policies.ts';
import { createCacheStore } from '../src/connectors/index.ts';
import { loadConfig } from '../src/config.ts';
import { connectRedis } from '../src/redis.ts';
import { createStripeClient } from '../src/connectors/stripe/client.ts';
import { classifyStripeError } from '../src/connectors/stripe/errors.ts';
import { PaymentIntentSchema } from '../src/connectors/stripe/mapping.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('iterations', 2000);
const logger = pino({ level: 'silent' });

function stats(samplesNs: bigint[]) {
  const us = samplesNs.map((n) => Number(n) / 1000).sort((a, b) => a - b);
  const pick = (q: number) => Math.round(us[Math.min(us.length - 1, Math.floor(q * us.length))]! * 10) / 10;
  return { meanUs: Math.round((us.reduce((a, b) => a + b, 0) / us.length) * 10) / 10, p50Us: pick(0.5), p99Us: pick(0.99) };
}

async function measure(n: number, fn: (i: number) => Promise<unknown>) {
  for (let i = 0; i < Math.min(200, n); i++) await fn(-i - 1); // warm-up
  const samples: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    samples.push(process.hrtime.bigint() - t);
  }
  return stats(samples);
}

/** Alternates a and b call by call, so warm-up and machine noise fall on both alike. */
async function measurePair(n: number, a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>) {
  for (let i = 0; i < Math.min(200, n); i++) await Promise.all([a(-i - 1), b(-i - 1)]);
  const sa: bigint[] = [];
  const sb: bigint[] = [];
  for (let i = 0; i < n; i++) {
    let t = process.hrtime.bigint();
    await a(i);
    sa.push(process.hrtime.bigint() - t);
    t = process.hrtime.bigint();
    await b(i);
    sb.push(process.hrtime.bigint() - t);
  }
  return [stats(sa), stats(sb)] as const;
}

const emulators = await startEmulators({ options: { hubspot: { rateLimit: false }, stripe: { rateLimit: false } } });
const config = loadConfig({ LOG_LEVEL: 'silent' });
const redis = process.env.REDIS_URL ? await connectRedis(process.env.REDIS_URL, `sy_bench_${randomBytes(4).toString('hex')}:`, logger) : undefined;
const fast = { quota: { points: 1_000_000, durationMs: 1_000 }, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 600_000 } };
const policies = new PolicyTable({ stripe: fast });
const pipeline = new Pipeline({ policies, cache: createCacheStore(config, redis), redis, logger });
const stripe = await createStripeClient('sk_test_bench', emulators.urls.stripe);
const call = pipeline.for('stripe', classifyStripeError);
const retrieve = () => stripe.paymentIntents.retrieve('pi_demo000101');
const opts = { idempotent: true, schema: PaymentIntentSchema };

const [direct, miss] = await measurePair(
  N,
  () => retrieve(),
  (i) => call('paymentIntents.retrieve', { ...opts, cacheKey: `miss-${i}` }, retrieve),
);
await call('paymentIntents.retrieve', { ...opts, cacheKey: 'hit' }, retrieve);
const hit = await measure(N, () => call('paymentIntents.retrieve', { ...opts, cacheKey: 'hit' }, retrieve));

// Open the circuit with one failing call (consecutiveFailures: 1 above), then time fail-fast calls.
await fetch(`${emulators.urls.stripe}/__control/faults`, { method: 'POST', body: JSON.stringify({ status: 503 }) });
await call('paymentIntents.retrieve', { ...opts, cacheKey: 'open-0' }, retrieve).catch(() => undefined);
const before = emulators.stripe.stats().total;
const open = await measure(Math.min(N, 1000), (i) => call('paymentIntents.retrieve', { ...opts, cacheKey: `open-${i + 1}` }, retrieve).catch(() => undefined));
const reachedStripe = emulators.stripe.stats().total - before;

console.log(
  JSON.stringify(
    {
      bench: 'pipeline',
      iterations: N,
      store: redis ? 'redis' : 'memory',
      node: process.version,
      cpus: os.cpus().length,
      direct,
      pipelineMiss: miss,
      pipelineHit: hit,
      circuitOpen: { ...open, requestsThatReachedStripe: reachedStripe },
      overheadPerMissUs: Math.round((miss.meanUs - direct.meanUs) * 10) / 10,
    },
    null,
    2,
  ),
);
redis?.disconnect();
await emulators.stop();
