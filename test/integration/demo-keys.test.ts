// Demo keys never open a deployment that is not a demo: two servers share one store (PGlite, and
// real Postgres when DATABASE_URL is set), one in demo mode, one not, and the same demo key is
// taken by the first and refused by the second, while a standard key works on both. A demo key
// also dies at its expiry, by the database's clock, on every process.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createConnectors } from '../../src/connectors/index.ts';
import { DEMO_SECRET_KEY } from '../../src/connectors/stripe/index.ts';
import { DEMO_ACCESS_TOKEN } from '../../src/connectors/hubspot/index.ts';
import { DEMO_API_KEY } from '../../src/connectors/openai/index.ts';
import { createStore, type Store } from '../../src/connectors/store/index.ts';
import { openDb } from '../../src/connectors/store/db.ts';
import { startEmulators, type RunningEmulators } from '../../src/emulators/index.ts';
import { createServer, type Server } from '../../src/server.ts';
import { ApiKeys } from '../../src/auth/apiKeys.ts';
import { dropTestSchema } from '../helpers/postgres.ts';
import { BACKENDS } from '../helpers/stack.ts';
import { seedDemoCustomers } from '../../src/demo/store.ts';

const QUERY = '{ customers(first: 1) { totalCount } }';

describe.each(BACKENDS)('demo keys on %s, with a demo server and a live one on one store', (backend) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sy-demo-keys-'));
  const schema = `sy_test_${randomBytes(6).toString('hex')}`;
  const logger = pino({ level: 'silent' });
  let emulators: RunningEmulators;
  let store: Store;
  let demo: Server;
  let live: Server;

  beforeAll(async () => {
    emulators = await startEmulators({ options: { hubspot: { rateLimit: false }, stripe: { rateLimit: false } } });
    store = createStore(await openDb(backend === 'postgres' ? { databaseUrl: process.env.DATABASE_URL!, schema } : {}));
    await store.migrate();
    await seedDemoCustomers(store);
    const base = { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir };
    const demoConfig = loadConfig({ ...base, DEMO: 'true' });
    // Not in demo mode: every provider has a credential (here the emulators', so the live server
    // really answers), as a deployment pointed at its providers would.
    const liveConfig = loadConfig({
      ...base,
      DEMO: 'false',
      STRIPE_SECRET_KEY: DEMO_SECRET_KEY,
      STRIPE_API_BASE: emulators.urls.stripe,
      HUBSPOT_ACCESS_TOKEN: DEMO_ACCESS_TOKEN,
      HUBSPOT_API_BASE: emulators.urls.hubspot,
      OPENAI_API_KEY: DEMO_API_KEY,
      OPENAI_BASE_URL: `${emulators.urls.openai}/v1`,
    });
    demo = await createServer(demoConfig, createConnectors(demoConfig, store, emulators.urls, { logger }), logger);
    live = await createServer(liveConfig, createConnectors(liveConfig, store, undefined, { logger }), logger);
  }, 180_000);

  afterAll(async () => {
    await demo?.close();
    await live?.close();
    await emulators?.stop();
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (backend === 'postgres') await dropTestSchema(schema);
  });

  const ask = async (server: Server, key: string) => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      payload: { query: QUERY },
    });
    return { status: res.statusCode, body: res.json() as { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] } };
  };

  it('a demo key works on the demo server only; a standard key on both', async () => {
    const keys = new ApiKeys(store);
    const demoKey = (await keys.issue({ role: 'admin', name: 'demo:admin', demoTtlSeconds: 600 })).key;
    const standard = (await keys.issue({ role: 'admin', name: 'ops' })).key;

    expect(await ask(demo, demoKey)).toMatchObject({ status: 200, body: { data: { customers: { totalCount: 200 } } } });
    const refused = await ask(live, demoKey);
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'demo_key' });
    expect(refused.body.data).toBeUndefined();

    for (const server of [demo, live]) expect(await ask(server, standard)).toMatchObject({ status: 200, body: { data: { customers: { totalCount: 200 } } } });
  });

  it('a demo key dies at its expiry, on the demo server too, unless its session renews it', async () => {
    const keys = new ApiKeys(store);
    const short = await keys.issue({ role: 'admin', name: 'demo:admin', demoTtlSeconds: 3 });
    const renewed = await keys.issue({ role: 'admin', name: 'demo:admin', demoTtlSeconds: 3 });
    expect((await ask(demo, short.key)).status).toBe(200);
    expect(await store.apiKeys.renewDemo([renewed.record.id], 600)).toBe(1);
    const started = Date.now();
    let expired = await ask(demo, short.key);
    while (expired.status === 200 && Date.now() - started < 30_000) {
      await new Promise((r) => setTimeout(r, 250));
      expired = await ask(demo, short.key);
    }
    console.info(`[demo-keys] ${backend}: a 3 s demo key was refused ${Date.now() - started} ms after its first use`);
    expect(expired.status).toBe(401);
    expect(expired.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'expired' });
    expect((await ask(demo, renewed.key)).status).toBe(200);
    // An expired key stays dead: renewing it does nothing.
    expect(await store.apiKeys.renewDemo([short.record.id], 600)).toBe(0);
    expect((await ask(demo, short.key)).status).toBe(401);
  });

  it('demo keys never count as the authentication production needs', async () => {
    expect(await store.apiKeys.countActive()).toBe(1);
    await new ApiKeys(store).issue({ role: 'admin', name: 'demo:admin', demoTtlSeconds: 600 });
    expect(await store.apiKeys.countActive()).toBe(1);
  });
});
