// A whole Switchyard in-process for integration tests: the three emulators, a store (embedded
// PGlite, or a fresh schema on real Postgres), the connectors and the Apollo server, driven
// through executeOperation with a real per-request context.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import { createConnectors, type Connectors } from '../../src/connectors/index.ts';
import { createStore } from '../../src/connectors/store/index.ts';
import { openDb, type Db } from '../../src/connectors/store/db.ts';
import { startEmulators, type RunningEmulators } from '../../src/emulators/index.ts';
import { createServer, type Server } from '../../src/server.ts';
import { createContext } from '../../src/context.ts';
import { dropTestSchema } from './postgres.ts';
import { connectRedis } from '../../src/redis.ts';
import { ANONYMOUS, SCOPES, type Principal } from '../../src/auth/principal.ts';
import { newScope, runInScope } from '../../src/pipeline/scope.ts';
import { JobQueue } from '../../src/jobs/index.ts';
import { seedDemoCustomers } from '../../src/demo/store.ts';
import { buildSchema } from '../../src/schema.ts';
import { parse, subscribe, validate, type ExecutionResult } from 'graphql';

export type Backend = 'pglite' | 'postgres';

/** The principal test operations run as unless a test says otherwise: every scope. */
export const TEST_ADMIN: Principal = { id: 'test-admin', role: 'admin', scopes: new Set(SCOPES), via: 'internal' };
export { ANONYMOUS };

/** PGlite always; real Postgres too when DATABASE_URL is set (as in CI). */
export const BACKENDS: Backend[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
/**
 * For the whole-process crash proofs (minutes each): the server's Postgres when there is one (as
 * in CI), else PGlite. Their store paths are the same SQL, which the other suites prove on both;
 * running each crash matrix once keeps CI inside its time budget.
 */
export const CRASH_BACKENDS: Backend[] = process.env.DATABASE_URL ? ['postgres'] : ['pglite'];
if (!process.env.DATABASE_URL) console.info('[tests] DATABASE_URL unset: store-backed suites run on embedded PGlite only');

export interface Stack {
  config: Config;
  emulators: RunningEmulators;
  connectors: Connectors;
  server: Server;
  /** Present when StackOptions.jobs declared queues: started, and stopped with the stack. */
  jobs: JobQueue | undefined;
  /** Runs one operation as a client would, with a fresh context. */
  /** `signal` stands for the client's connection: aborting it is the client going away. */
  run<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    as?: Principal,
    signal?: AbortSignal,
  ): Promise<{ data?: T | null; errors?: { message: string; path?: unknown; extensions?: Record<string, unknown> }[]; extensions?: Record<string, unknown> }>;
  /**
   * Starts a subscription against the server's (shielded) schema with graphql's own `subscribe`,
   * in its own operation scope: the event stream, or the result that refused it.
   */
  subscribe(
    query: string,
    variables?: Record<string, unknown>,
    as?: Principal,
    signal?: AbortSignal,
  ): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult>;
  /** SQL statements the store ran since the last resetCounts(). */
  storeQueries(): number;
  resetCounts(): void;
  stop(): Promise<void>;
}

/** Memory always; Redis too when REDIS_URL is set (as in CI). */
export const SHARED_STORES: ('memory' | 'redis')[] = process.env.REDIS_URL ? ['memory', 'redis'] : ['memory'];
if (!process.env.REDIS_URL) console.info('[tests] REDIS_URL unset: cache and limit suites run on the in-memory stores only');

export interface StackOptions {
  /** Environment for loadConfig (DEMO=true, NODE_ENV=test, LOG_LEVEL=silent, huge INBOUND_RATE_LIMIT, CONSOLE_SIGNIN_LIMIT and AUTH_FAILURE_LIMIT, and AUDIT_CHAIN_REUSE_MS=0 are preset). */
  env?: Record<string, string>;
  /** Caches, limits and quotas on Redis (a fresh key prefix per stack) instead of in memory. */
  shared?: 'memory' | 'redis';
  /** Declares queues on a job queue (fresh pg-boss schema, fast polling) started with the stack. */
  jobs?: (queue: JobQueue, connectors: Connectors) => void;

  /** With shared: 'redis', this key prefix instead of a fresh one: stacks given the same one act as replicas. */
  redisPrefix?: string;
  /** Emulators started by the caller (and stopped by it), so several stacks talk to the same providers. */
  emulators?: RunningEmulators;
  /** Seed the store with the demo customers the emulators hold (default true); false: an empty store, as before an import. */
  seed?: boolean;
}

/**
 * What every test server's configuration starts from (a suite's own env wins): demo mode, and
 * the limits generous unless a test is about them (suites run hundreds of operations as one
 * principal, from one address), every auditChain call a fresh walk.
 */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  DEMO: 'true',
  INBOUND_RATE_LIMIT: '1000000',
  CONSOLE_SIGNIN_LIMIT: '10000',
  AUTH_FAILURE_LIMIT: '100000',
  AUDIT_CHAIN_REUSE_MS: '0',
};

export async function startStack(backend: Backend, opts: StackOptions = {}): Promise<Stack> {
  // A data directory of its own: the audit writer spools there.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sy-stack-'));
  const config = loadConfig({ ...TEST_ENV, LOG_LEVEL: 'silent', DATA_DIR: dataDir, ...opts.env });
  const logger = pino({ level: 'silent' });
  const prefix = opts.redisPrefix ?? `sy_test_${randomBytes(6).toString('hex')}:`;
  const redis = opts.shared === 'redis' ? await connectRedis(process.env.REDIS_URL!, prefix, logger) : undefined;
  const emulators = opts.emulators ?? (await startEmulators({ options: { hubspot: { rateLimit: false }, stripe: { rateLimit: false } } }));
  const schema = `sy_test_${randomBytes(6).toString('hex')}`;
  const db = await openDb(backend === 'postgres' ? { databaseUrl: process.env.DATABASE_URL!, schema } : {});
  const counted = countQueries(db);
  const store = createStore(counted.db);
  await store.migrate();
  if (opts.seed !== false) await seedDemoCustomers(store);
  const connectors = createConnectors(config, store, emulators.urls, { logger, redis });
  let jobs: JobQueue | undefined;
  if (opts.jobs) {
    jobs = new JobQueue({
      store,
      databaseUrl: backend === 'postgres' ? process.env.DATABASE_URL : undefined,
      schema: `${schema}_jobs`,
      pollIntervalMs: 500,
      logger,
      superviseIntervalSeconds: 1,
      cronIntervalSeconds: 1,
    });
    opts.jobs(jobs, connectors);
  }
  // The server declares its own queues (webhooks) on the queue before it starts.
  const server = await createServer(config, connectors, logger, jobs ? { queueDepth: () => jobs.depth(), jobs } : {});
  await jobs?.start();
  const services = server.services;
  let n = 0;
  const shielded = buildSchema();
  return {
    config,
    emulators,
    connectors,
    server,
    jobs,
    async run(query, variables, as = TEST_ADMIN, signal = new AbortController().signal) {
      const requestId = `test-${++n}`;
      const scope = newScope(requestId, signal);
      const contextValue = createContext({ requestId, principal: as, logger, connectors, services, signal, scope });
      const res = await runInScope(scope, () => server.apollo.executeOperation({ query, variables }, { contextValue }));
      if (res.body.kind !== 'single') throw new Error('expected a single result');
      return res.body.singleResult as never;
    },
    async subscribe(query, variables, as = TEST_ADMIN, signal = new AbortController().signal) {
      const requestId = `test-${++n}`;
      const scope = newScope(requestId, signal);
      const contextValue = createContext({ requestId, principal: as, logger, connectors, services, signal, scope });
      const document = parse(query);
      const invalid = validate(shielded, document);
      if (invalid.length) return { errors: invalid };
      return runInScope(scope, () => subscribe({ schema: shielded, document, variableValues: variables, contextValue })) as never;
    },
    storeQueries: () => counted.count,
    resetCounts() {
      counted.count = 0;
      for (const e of [emulators.stripe, emulators.hubspot, emulators.openai]) e.resetStats();
    },
    async stop() {
      await server.close();
      await jobs?.stop(1_000);
      if (!opts.emulators) await emulators.stop();
      await store.close();
      redis?.disconnect();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropTestSchema(schema);
      if (backend === 'postgres' && jobs) await dropTestSchema(`${schema}_jobs`);
    },
  };
}

/** Wraps a Db so a test can count the statements the store sends. */
function countQueries(db: Db): { db: Db; count: number } {
  const out = { db, count: 0 };
  out.db = {
    kind: db.kind,
    query: (text, params) => {
      out.count++;
      return db.query(text, params);
    },
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
    ...(db.listen ? { listen: db.listen } : {}),
  };
  return out;
}
