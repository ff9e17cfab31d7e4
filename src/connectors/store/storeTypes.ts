// The store as the rest of Switchyard sees it: one object over the tables.
import type { ApiKeyStore } from './apiKeys.ts';
import type { ConsoleSessionStore } from './consoleSessions.ts';
import type { AuditStore } from './audit.ts';
import type { Db } from './db.ts';
import type { IdempotencyStore } from './idempotency.ts';
import type { Cursors } from './cursors.ts';
import type { DeploymentStore } from './deployment.ts';
import type { WebhookEventStore } from './webhooks.ts';
import type { PaymentStore } from './payments.ts';
import type { ReportStore } from './reports.ts';
import type { AiUsageStore } from './aiUsage.ts';
import type { WorkflowStore } from './workflows.ts';
import type { SyncStore } from './sync.ts';
import type { CustomerBulkStore } from './customerBulk.ts';
import type { CustomerStore } from './customerTypes.ts';

export interface StoreHealth {
  kind: 'postgres' | 'pglite';
  state: 'up' | 'down';
  error?: string;
}

export interface Store {
  readonly kind: 'postgres' | 'pglite';
  readonly customers: CustomerStore;
  readonly apiKeys: ApiKeyStore;
  readonly consoleSessions: ConsoleSessionStore;
  /** The hash-chained audit trail (audit_events). */
  readonly audit: AuditStore;
  /** The database itself, for what runs on it beside the store (the job queue, src/jobs/). */
  readonly db: Db;
  /** Runs fn in one transaction: records written through tx, and jobs enqueued with it, commit together. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** The webhook inbox (webhook_events). */
  readonly webhooks: WebhookEventStore;
  /** What the store knows of payments, from their providers' events (payments). */
  readonly payments: PaymentStore;
  /** Revenue, payments by status and customers by lifecycle stage, from the report views (migration 013). */
  readonly reports: ReportStore;
  /** Every AI call's tokens and cost (ai_usage). */
  readonly aiUsage: AiUsageStore;
  /** The workflow journal (workflow_runs, workflow_steps). */
  readonly workflows: WorkflowStore;
  /** Import and reconciliation runs and the drift they found (src/sync/). */
  readonly sync: SyncStore;
  readonly customerBulk: CustomerBulkStore;
  /** Idempotency records of keyed writes (idempotency_keys). */
  readonly idempotency: IdempotencyStore;
  /** Values shared by every replica on this store (deployment_state). */
  readonly deployment: DeploymentStore;
  /** Signs and checks the graph's cursors, with the deployment's key. */
  readonly cursors: Cursors;
  /** Applies pending migrations; safe to run repeatedly and from several processes. */
  migrate(): Promise<string[]>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
