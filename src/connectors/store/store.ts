import { createCustomerStore } from './customers.ts';
import { createApiKeyStore } from './apiKeys.ts';
import { createConsoleSessionStore } from './consoleSessions.ts';
import { createAuditStore } from './audit.ts';
import { createIdempotencyStore } from './idempotency.ts';
import { createCursors } from './cursors.ts';
import { createDeploymentStore } from './deployment.ts';
import { createWebhookEventStore } from './webhooks.ts';
import { createPaymentStore } from './payments.ts';
import { createReportStore } from './reports.ts';
import { createAiUsageStore } from './aiUsage.ts';
import { createWorkflowStore } from './workflows.ts';
import { createSyncStore } from './sync.ts';
import { createCustomerBulkStore } from './customerBulk.ts';
import { openDb, type Db, type OpenDbOptions } from './db.ts';
import type { Store, StoreHealth } from './storeTypes.ts';
import { migrate } from './migrate.ts';

export type OpenStoreOptions = Pick<OpenDbOptions, 'databaseUrl' | 'dataDir' | 'schema' | 'poolMax'> & StoreOptions;

export interface StoreOptions {
  /** CURSOR_SECRET; unset: a generated secret kept in the store (cursors.ts). */
  cursorSecret?: string;
}

const HEALTH_TIMEOUT_MS = 3_000;

/** A Store over an open Db; the Store owns it from then on (close() closes it). */
export function createStore(db: Db, opts: StoreOptions = {}): Store {
  const deployment = createDeploymentStore(db);
  const cursors = createCursors({ secret: opts.cursorSecret, deployment });
  return {
    kind: db.kind,
    customers: createCustomerStore(db, cursors),
    apiKeys: createApiKeyStore(db),
    consoleSessions: createConsoleSessionStore(db),
    audit: createAuditStore(db, cursors),
    db,
    transaction: (fn) => db.transaction(fn),
    idempotency: createIdempotencyStore(db),
    webhooks: createWebhookEventStore(db, cursors),
    payments: createPaymentStore(db),
    reports: createReportStore(db),
    aiUsage: createAiUsageStore(db),
    workflows: createWorkflowStore(db, cursors),
    sync: createSyncStore(db),
    customerBulk: createCustomerBulkStore(db),
    deployment,
    cursors,
    async migrate() {
      const applied = await migrate(db);
      // The cursor key is read (or made) here, once, so a store that cannot keep it fails at
      // start and no client's first page pays for it.
      await cursors.signer();
      return applied;
    },

    async health(): Promise<StoreHealth> {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          db.query('select 1'),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer in ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
          }),
        ]);
        return { kind: db.kind, state: 'up' };
      } catch (err) {
        return { kind: db.kind, state: 'down', error: err instanceof Error ? err.message : String(err) };
      } finally {
        clearTimeout(timer);
      }
    },

    close: () => db.close(),
  };
}

/** Postgres when databaseUrl is set, else embedded PGlite (in memory when dataDir is unset). */
export async function openStore({ cursorSecret, ...options }: OpenStoreOptions): Promise<Store> {
  return createStore(await openDb(options), { cursorSecret });
}
