// The events proof: thousands of signed Stripe events (10% delivered twice, all shuffled) posted
// to a real `switchyard start` while it is killed with SIGKILL twice and restarted on the same
// store. Afterwards each distinct event is in the inbox once and processed, and the store's
// payments agree with the provider's. WEBHOOK_PROOF_EVENTS sets the count (10 000 for the full
// proof; CI runs 1 000 on each store to stay within its time).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, type Started } from '../helpers/process.ts';
import { dropTestSchema } from '../helpers/postgres.ts';
import { BACKENDS } from '../helpers/stack.ts';
import { startEmulators, type RunningEmulators } from '../../src/emulators/index.ts';
import { seedCustomers } from '../../src/demo/seed.ts';
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

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe.each(BACKENDS)('webhook events across crashes on %s', { timeout: 900_000 }, (backend) => {
  const root = mkdtempSync(path.join(tmpdir(), 'sy-webhooks-crash-'));
  const schema = `sy_test_${randomBytes(6).toString('hex')}`;
  let emulators: RunningEmulators;
  let stripe: Stripe;
  let env: Record<string, string>;
  const running: Started[] = [];

  beforeAll(async () => {
    emulators = await startEmulators({ options: { hubspot: { rateLimit: false } } });
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
    // The provider's state moves first (refunds, cancellations): the events then say "this changed".
    const payments = seedCustomers(200).flatMap((c) => c.payments);
    for (const p of payments.filter((_, i) => i % 7 === 0)) {
      if (p.status === 'succeeded' && p.amount - p.refundedAmount > 100) await stripe.refunds.create({ payment_intent: p.id, amount: 100 });
      if (p.status === 'requires_payment_method') await stripe.paymentIntents.cancel(p.id);
    }
    const events = Array.from({ length: EVENTS }, (_, i) => {
      const pi = payments[i % payments.length]!;
      return JSON.stringify({
        id: `evt_${schema}_${i}`,
        object: 'event',
        type: 'payment_intent.updated',
        created: Math.floor(Date.now() / 1000),
        data: { object: { id: pi.id, object: 'payment_intent' } },
      });
    });
    const deliveries = shuffle([...events, ...events.filter((_, i) => i % 10 === 0)]);

    let proc = await start();
    const kills = [Math.floor(deliveries.length * 0.3), Math.floor(deliveries.length * 0.65)];
    let sent = 0;
    let restarts = 0;
    const queue = [...deliveries];
    const send = async (payload: string): Promise<void> => {
      // A delivery that did not get its 2xx is sent again, as the provider retries it.
      for (;;) {
        const header = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
        const res = await fetch(proc.url.replace('/graphql', '/webhooks/stripe'), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': header },
          body: payload,
        }).catch(() => undefined);
        if (res?.status === 200) return;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    while (queue.length) {
      const batch = queue.splice(0, 8);
      await Promise.all(batch.map(send));
      sent += batch.length;
      if (kills.length && sent >= kills[0]!) {
        kills.shift();
        await killed(proc);
        proc = await start();
        restarts++;
      }
    }
    expect(restarts).toBe(2);
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
      `[webhooks-crash ${backend}] ${deliveries.length} deliveries of ${EVENTS} events, 2 SIGKILLs: backlog drained ${Date.now() - started} ms after the last delivery`,
    );
    expect(await proc.stop()).toBe(0);

    const store: Store = await openStore(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: path.join(env.DATA_DIR!, 'live', 'pglite') });
    try {
      const rows = await store.db.query<{ n: string; processed: string; distinct_events: string }>(
        `select count(*)::text as n, count(*) filter (where status = 'processed')::text as processed, count(distinct event_id)::text as distinct_events from webhook_events where provider = 'stripe'`,
      );
      expect(rows.rows[0]).toEqual({ n: String(EVENTS), processed: String(EVENTS), distinct_events: String(EVENTS) });
      const touched = [...new Set(payments.slice(0, Math.min(EVENTS, payments.length)).map((p) => p.id))];
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
