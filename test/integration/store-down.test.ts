// The database unreachable: store-backed fields answer a coded UPSTREAM_UNAVAILABLE naming the
// store, never a masked internal error, and /health/ready says unready.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createConnectors, type Connectors } from '../../src/connectors/index.ts';
import { createStore } from '../../src/connectors/store/index.ts';
import { openDb } from '../../src/connectors/store/db.ts';
import { createContext } from '../../src/context.ts';
import { startEmulators, type RunningEmulators } from '../../src/emulators/index.ts';
import { newScope, runInScope } from '../../src/pipeline/scope.ts';
import { createServer, type Server } from '../../src/server.ts';
import { TEST_ADMIN } from '../helpers/stack.ts';

describe('with the database unreachable', () => {
  let emulators: RunningEmulators;
  let server: Server;
  let connectors: Connectors;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    emulators = await startEmulators({ options: { hubspot: { rateLimit: false }, stripe: { rateLimit: false } } });
    // Nothing listens on port 1: every query fails to connect, as when Postgres is down.
    const store = createStore(await openDb({ databaseUrl: 'postgres://postgres@127.0.0.1:1/test' }));
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: 'true', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'switchyard-store-down-')) });
    connectors = createConnectors(config, store, emulators.urls, { logger });
    server = await createServer(config, connectors, logger);
  });
  afterAll(async () => {
    await server?.close();
    await emulators?.stop();
  });

  it('answers store-backed fields with UPSTREAM_UNAVAILABLE (connector store) and AI still works', async () => {
    const scope = newScope('store-down');
    const contextValue = createContext({ requestId: 'store-down', principal: TEST_ADMIN, logger, connectors, signal: new AbortController().signal, scope });
    const res = await runInScope(scope, () => server.apollo.executeOperation({ query: '{ customer(id: "cust_demo0001") { id } }' }, { contextValue }));
    const body = res.body.kind === 'single' ? res.body.singleResult : undefined;
    expect(body?.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', connector: 'store' });
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1:1/);

    const ai = await runInScope(scope, () =>
      server.apollo.executeOperation({ query: 'mutation { complete(input: { prompt: "still here?" }) { text } }' }, { contextValue }),
    );
    expect(ai.body.kind === 'single' && ai.body.singleResult.errors).toBeUndefined();
  });

  it('reports unready on /health/ready', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unready', store: { state: 'down' } });
  });
});
