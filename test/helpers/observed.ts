// A Switchyard in-process whose every log line is captured and whose database can be taken
// away: for the audit, metrics, alert and tracing suites. HTTP goes through Fastify's inject
// (the real routes, hooks and plugins); `run` goes through executeOperation like stack.ts.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { dropTestSchema } from './postgres.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createConnectors, type Connectors } from '../../src/connectors/index.ts';
import { createStore, type AuditRow, type Store } from '../../src/connectors/store/index.ts';
import { openDb, type Db } from '../../src/connectors/store/db.ts';
import { startEmulators, type RunningEmulators } from '../../src/emulators/index.ts';
import { createServer, type Server } from '../../src/server.ts';
import { createContext } from '../../src/context.ts';
import { LOG_SAFETY } from '../../src/auth/redact.ts';
import { ApiKeys } from '../../src/auth/apiKeys.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { newScope, runInScope } from '../../src/pipeline/scope.ts';
import { TEST_ADMIN, TEST_ENV, type Backend } from './stack.ts';
import { seedDemoCustomers } from '../../src/demo/store.ts';

export interface Reply {
  status: number;
  requestId: string;
  headers: Record<string, unknown>;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

export interface Observed {
  config: Config;
  emulators: RunningEmulators;
  connectors: Connectors;
  store: Store;
  server: Server;
  dataDir: string;
  /** API keys per role, issued at start. */
  keys: { admin: string; operator: string; app: string };
  /** Every line the server logged so far (pino JSON). */
  logs(): string[];
  post(body: unknown, headers?: Record<string, string>): Promise<Reply>;
  run(query: string, variables?: Record<string, unknown>, as?: Principal, requestId?: string): Promise<Reply['body']>;
  /** Waits until the audit writer has written everything it holds. */
  flush(): Promise<number>;
  rows(): Promise<AuditRow[]>;
  /** Runs SQL on the audit's own database (not through the outage switch). */
  sql<T>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/** A Db whose calls fail like a lost connection while `down` is true. */
export function switchable(db: Db): { db: Db; down: boolean } {
  const sw = { db, down: false };
  const check = () => {
    if (sw.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432 (simulated outage)'), { code: 'ECONNREFUSED' });
  };
  sw.db = {
    kind: db.kind,
    query: async (text, params) => (check(), db.query(text, params)),
    exec: async (text) => (check(), db.exec(text)),
    transaction: async (fn) => (check(), db.transaction(fn)),
    close: () => db.close(),
  };
  return sw;
}

export interface ObservedOptions {
  env?: Record<string, string>;
  /** Wraps the store's Db (e.g. switchable, for an outage). */
  wrapDb?: (db: Db) => Db;
  /** Postgres only: connect as this role (see audit-outage.test.ts). */
  databaseUrl?: string;
}

export async function startObserved(backend: Backend, opts: ObservedOptions = {}): Promise<Observed> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sy-observed-'));
  const config = loadConfig({ ...TEST_ENV, LOG_LEVEL: 'trace', DATA_DIR: dataDir, ...opts.env });
  const lines: string[] = [];
  const logger = pino({ level: 'trace', ...LOG_SAFETY }, { write: (line: string) => void lines.push(line) });
  const emulators = await startEmulators({ options: { hubspot: { rateLimit: false }, stripe: { rateLimit: false } } });
  const schema = `sy_test_${randomBytes(6).toString('hex')}`;
  const rawDb = await openDb(backend === 'postgres' ? { databaseUrl: opts.databaseUrl ?? process.env.DATABASE_URL!, schema } : {});
  const store = createStore(opts.wrapDb ? opts.wrapDb(rawDb) : rawDb);
  await store.migrate();
  await seedDemoCustomers(store);
  const issue = async (role: 'admin' | 'operator' | 'app') => (await new ApiKeys(store).issue({ role, name: `test-${role}` })).key;
  const keys = { admin: await issue('admin'), operator: await issue('operator'), app: await issue('app') };
  const connectors = createConnectors(config, store, emulators.urls, { logger });
  const server = await createServer(config, connectors, logger);
  let n = 0;
  return {
    config,
    emulators,
    connectors,
    store,
    server,
    dataDir,
    keys,
    logs: () => [...lines],
    async post(body, headers = {}) {
      const requestId = `req-${++n}-${randomBytes(3).toString('hex')}`;
      const res = await server.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.statusCode, requestId, headers: res.headers, body: JSON.parse(res.body) as Reply['body'] };
    },
    async run(query, variables, as = TEST_ADMIN, requestId = `run-${++n}`) {
      const scope = newScope(requestId);
      const contextValue = createContext({ requestId, principal: as, logger, connectors, signal: new AbortController().signal, scope });
      const res = await runInScope(scope, () => server.apollo.executeOperation({ query, variables }, { contextValue }));
      if (res.body.kind !== 'single') throw new Error('expected a single result');
      return res.body.singleResult as Reply['body'];
    },
    flush: () => server.ops.writer.flush(15_000),
    rows: () => store.audit.scan(0, 100_000),
    sql: async <T>(text: string, params?: unknown[]) => (await rawDb.query<T>(text, params)).rows,
    async stop() {
      await server.close();
      await emulators.stop();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropTestSchema(schema);
    },
  };
}
