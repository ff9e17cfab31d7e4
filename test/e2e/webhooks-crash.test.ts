// The events proof: thousands of signed events sent by the Stripe emulator (10% delivered twice,
// shuffled) to a real `switchyard start` while it is killed with SIGKILL twice and restarted on
// the same store and port. Afterwards each distinct event is in the inbox once and processed, no
// delivery was given up, and the store's payments agree with the provider's. WEBHOOK_PROOF_EVENTS sets the count (10 000 for the full
// proof; CI runs 1 000 on each store to stay within its time).
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, type Started } from '../helpers/process.ts';
import { dropTestSchema } from '../helpers/postgres.ts';
import { CRASH_BACKENDS } from '../helpers/stack.ts';
import { startEmulators, type RunningEmulators } from '../../src/emulators/index.ts';
import { openStore, type Store } from '../../src/connectors/store/index.ts';
import { DEMO_SECRET_KEY } from '../../src/connectors/stripe/index.ts';
import { DEMO_ACCESS_TOKEN } from '../../src/connectors/hubspot/index.ts';
import { DEMO_API_KEY } from '../../src/connectors/openai/index.ts';

const EVENTS = Number(process.env.WEBHOOK_PROOF_EVENTS ?? 1_000);
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

const killed = (p: Started) =>
  new Promise<void>((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    p.child.kill('SIGKILL');
  });

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe.each(CRASH_BACKENDS)('webhook events across crashes on %s', { timeout: 900_000 }, (backend) => {
  const root = mkdtempSync(path.join(tmpdir(), 'sy-webhooks-crash-'));
  const schema = `sy_test_${randomBytes(6).toString('hex')}`;
  let emulators: RunningEmulators;
  let stripe: Stripe;
  let env: Record<string, string>;
  const running: Started[] = [];

  beforeAll(async () => {
    emulators = await startEmulators({ options: { hubspot: { rateLimit: false }, stripe: { rateLimit: false } } });
    const url = new URL(emulators.urls.stripe);
    stripe = new Stripe(DEMO_SECRET_KEY, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
    const policy = path.join(root, 'policy.json');
    // Re-reads are the only upstream calls here: the test-mode quota (25/s) would only slow the proof.
    writeFileSync(policy, JSON.stringify({ stripe: { quota: { points: 100_000, durationMs: 1_000 }, bulkhead: { concurrency: 50, queue: 10_000 } } }));
    env = {
      LOG_LEVEL: 'warn',
      DEMO: 'false',
      STRIPE_SECRET_KEY: DEMO_SECRET_KEY,
      STRIPE_API_BASE: emulators.urls.stripe,
      STRIPE_WEBHOOK_SECRET: SECRET,
      HUBSPOT_ACCESS_TOKEN: DEMO_ACCESS_TOKEN,
      HUBSPOT_API_BASE: emulators.urls.hubspot,
      OPENAI_API_KEY: DEMO_API_KEY,
      OPENAI_BASE_URL: `${emulators.urls.openai}/v1`,
      POLICY_FILE: policy,
      DATA_DIR: path.join(root, 'data'),
      JOBS_SCHEMA: `${schema}_jobs`,
      JOBS_POLL_INTERVAL_MS: '500',
      WEBHOOK_RETRY_DELAY_SECONDS: '0',
      // A fixed port: the emulator keeps sending to the same endpoint across the restarts.
      PORT: String(await freePort()),
    };
    if (backend === 'postgres') {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`create schema ${schema}`);
      await client.end();
      const db = new URL(process.env.DATABASE_URL!);
      db.searchParams.set('options', `-c search_path=${schema}`);
      env.DATABASE_URL = db.toString();
    }
  }, 240_000);

  afterAll(async () => {
    for (const p of running) await killed(p);
    await emulators?.stop();
    rmSync(root, { recursive: true, force: true });
    if (backend === 'postgres') {
      await dropTestSchema(schema);
      await dropTestSchema(`${schema}_jobs`);
    }
  });

  const start = async () => {
    const p = await startProcess(env, { startMs: 240_000 });
    running.push(p);
    return p;
  };

  it('processes each distinct event once, stores no duplicate, and ends agreeing with the provider', async () => {
    // Stripe's emulator sends the events of real changes (partial refunds: charge.refunded and
    // refund.created each), 10% of them twice and shuffled, retrying what is not answered 2xx for
    // longer than a restart takes, as Stripe retries for days.
    const sender = emulators.stripe.webhooks!;
    sender.configure({ concurrency: 8, retryDelaysMs: [500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 60_000, 60_000] });
    sender.setFaults({ duplicateRate: 0.1, reorderWindow: 20 });
    sender.register(`http://127.0.0.1:${env.PORT}/webhooks/stripe`, SECRET);
    let proc = await start();
    const res = await fetch(`${emulators.urls.stripe}/__control/webhooks/emit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: Math.ceil(EVENTS / 2), kind: 'refund' }),
    });
    expect(res.status).toBe(200);
    // Each refund sends charge.refunded and refund.created; the sender's own count includes the duplicates.
    const { emitted } = (await res.json()) as { emitted: number };
    const total = emitted * 2;
    expect(total).toBeGreaterThanOrEqual(EVENTS);
    const deliveries = sender.stats().events;
    for (const share of [0.3, 0.65]) {
      while (sender.stats().delivered < deliveries * share) await new Promise((r) => setTimeout(r, 50));
      await killed(proc);
      proc = await start();
    }
    await sender.idle();
    const stats = sender.stats();
    expect(stats.failed).toBe(0);
    const metric = async (status: string) => {
      const text = await (await fetch(proc.url.replace('/graphql', '/metrics'))).text();
      return Number(new RegExp(`switchyard_webhook_inbox_backlog\\{status="${status}"\\} (\\d+)`).exec(text)?.[1] ?? NaN);
    };
    const started = Date.now();
    for (;;) {
      const [received, failed, dead] = [await metric('received'), await metric('failed'), await metric('dead')];
      if (received === 0 && failed === 0 && dead === 0) break;
      if (Date.now() - started > 600_000) throw new Error(`backlog did not drain: ${received} received, ${failed} failed, ${dead} dead`);
      await new Promise((r) => setTimeout(r, 500));
    }
    console.info(
      `[webhooks-crash ${backend}] ${total} events, ${deliveries - total} of them sent twice, in ${stats.sent} requests (${stats.retries} retries across 2 SIGKILLs and restarts): backlog drained ${Date.now() - started} ms after the last delivery`,
    );
    expect(await proc.stop()).toBe(0);

    const store: Store = await openStore(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: path.join(env.DATA_DIR!, 'live', 'pglite') });
    try {
      const rows = await store.db.query<{ n: string; processed: string; distinct_events: string }>(
        `select count(*)::text as n, count(*) filter (where status = 'processed')::text as processed, count(distinct event_id)::text as distinct_events from webhook_events where provider = 'stripe'`,
      );
      expect(rows.rows[0]).toEqual({ n: String(total), processed: String(total), distinct_events: String(total) });
      const touched = (await store.db.query<{ object_id: string }>(`select distinct object_id from webhook_events where object_id is not null`)).rows.map(
        (r) => r.object_id,
      );
      expect(touched.length).toBeGreaterThan(0);
      const stored = await store.payments.byIds('stripe', touched);
      for (const [i, id] of touched.entries()) {
        const now = await stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] });
        const refunded = typeof now.latest_charge === 'object' && now.latest_charge ? now.latest_charge.amount_refunded : 0;
        expect(stored[i], id).toMatchObject({ id, status: now.status, amount: now.amount, amountRefunded: refunded });
      }
    } finally {
      await store.close();
    }
  });
});
