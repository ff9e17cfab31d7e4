// What the in-repo comparison targets share: the same Config (from the environment the
// orchestrator sets, exactly as Switchyard's own), the same Store and the same connectors
// (createConnectors: SDK clients, pipeline, cache, quotas), and an internal admin principal in
// place of authentication. None of Switchyard's plugins or middleware is used here.
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from '../../resolvers/index.ts';
import { loadTypeDefs } from '../../src/schema.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createConnectors, type Connectors } from '../../src/connectors/index.ts';
import { openStore, type Store } from '../../src/connectors/store/index.ts';
import { connectRedis } from '../../src/redis.ts';
import { createContext, type Context } from '../../src/context.ts';
import { SCOPES, type Principal } from '../../src/auth/principal.ts';
import { newScope, type OperationScope } from '../../src/pipeline/scope.ts';
import { seedDemoCustomers } from '../../src/demo/store.ts';

/**
 * Switchyard's type definitions and resolver map, as src/schema.ts builds them but without the
 * permission middleware buildSchema() wraps around them: the comparison targets run bare.
 */
export function bareSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
}

/** Stands in for an authenticated admin: every scope, no credential to check. */
export const BENCH_ADMIN: Principal = { id: 'bench-admin', role: 'admin', scopes: new Set(SCOPES), via: 'internal' };

export interface TargetRuntime {
  config: Config;
  logger: Logger;
  store: Store;
  connectors: Connectors;
  port: number;
  /** A fresh per-request context, as Switchyard's server builds it but with BENCH_ADMIN. */
  context(scope?: OperationScope, signal?: AbortSignal): Context;
}

/**
 * The store named by the environment: Postgres (BENCH_DATABASE_URL, schema BENCH_DB_SCHEMA,
 * seeded by the orchestrator) or a private in-memory PGlite seeded here.
 */
export async function openBenchStore(): Promise<Store> {
  const url = process.env.BENCH_DATABASE_URL;
  const store = await openStore(url ? { databaseUrl: url, schema: process.env.BENCH_DB_SCHEMA } : {});
  if (!url) {
    await store.migrate();
    await seedDemoCustomers(store);
  }
  return store;
}

export async function startTargetRuntime(): Promise<TargetRuntime> {
  const config = loadConfig(process.env);
  const logger = pino({ level: 'warn' });
  const store = await openBenchStore();
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, config.redisKeyPrefix, logger) : undefined;
  // Live mode (credentials set by the orchestrator) points every client at the shared emulators.
  const connectors = createConnectors(config, store, undefined, { logger, redis });
  return {
    config,
    logger,
    store,
    connectors,
    port: config.port,
    context(scope, signal) {
      const requestId = scope?.requestId ?? randomUUID();
      const s = scope ?? newScope(requestId, signal);
      return createContext({ requestId, principal: BENCH_ADMIN, logger, connectors, signal: signal ?? s.signal ?? new AbortController().signal, scope: s });
    },
  };
}
