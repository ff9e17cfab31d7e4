// The system of record: Switchyard's own customers and their links to the payments provider and the CRM.
// Implemented once over a small SQL interface (db.ts) that both `pg` and embedded PGlite serve.
import type { ApiKeyStore } from './apiKeys.ts';
import type { AuditStore } from './audit.ts';
import type { Db } from './db.ts';
import type { IdempotencyStore } from './idempotency.ts';
import type { Cursors } from './cursors.ts';
import type { DeploymentStore } from './deployment.ts';

/** Where a customer's links to the other systems stand (see createCustomer in resolvers/Mutation.ts). */
export type LinkStatus = 'provisioning' | 'linked' | 'needs_repair';

export interface CustomerRecord {
  id: string;
  email: string;
  name: string | null;
  createdAt: Date;
  paymentsCustomerId: string | null;
  crmContactId: string | null;
  linkStatus: LinkStatus;
  linkError: string | null;
}

export interface CustomerPage {
  /** Each record with its cursor: opaque, valid only with the same search (see cursors.ts). */
  edges: { cursor: string; node: CustomerRecord }[];
  hasNextPage: boolean;
  totalCount: number;
}

export interface ListCustomersArgs {
  first: number;
  /** The cursor of the last edge of a previous page of the same search; anything else is StoreInputError('after'). */
  after?: string | null;
  /** Case-insensitive match on email or name. */
  search?: string | null;
}

export interface NewCustomer {
  id: string;
  email: string;
  name: string | null;
}

export interface LinkedCustomer extends NewCustomer {
  createdAt: Date;
  paymentsCustomerId: string;
  crmContactId: string;
}

export interface CustomerLinks {
  paymentsCustomerId?: string | null;
  crmContactId?: string | null;
  linkStatus: LinkStatus;
  linkError?: string | null;
}

export interface CustomerStore {
  /** One statement for all ids; results in key order, null for a missing id. */
  byIds(ids: readonly string[]): Promise<(CustomerRecord | null)[]>;
  byPaymentsIds(ids: readonly string[]): Promise<(CustomerRecord | null)[]>;
  byCrmIds(ids: readonly string[]): Promise<(CustomerRecord | null)[]>;
  byEmail(email: string): Promise<CustomerRecord | null>;
  list(args: ListCustomersArgs): Promise<CustomerPage>;
  /** Inserts already-linked customers in one statement, leaving any whose id, email or links exist; returns how many went in. */
  insertLinked(rows: readonly LinkedCustomer[]): Promise<number>;
  /** Inserts with linkStatus 'provisioning'; throws StoreConflictError when the email exists. */
  insert(customer: NewCustomer): Promise<CustomerRecord>;
  updateLinks(id: string, links: CustomerLinks): Promise<CustomerRecord>;
  delete(id: string): Promise<void>;
}

export interface StoreHealth {
  kind: 'postgres' | 'pglite';
  state: 'up' | 'down';
  error?: string;
}

export interface Store {
  readonly kind: 'postgres' | 'pglite';
  readonly customers: CustomerStore;
  readonly apiKeys: ApiKeyStore;
  /** The hash-chained audit trail (audit_events). */
  readonly audit: AuditStore;
  /** The database itself, for what runs on it beside the store (the job queue, src/jobs/). */
  readonly db: Db;
  /** Runs fn in one transaction: records written through tx, and jobs enqueued with it, commit together. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
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

export class StoreConflictError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

/** Bad input the store detected (e.g. a cursor it did not issue); `field` names the argument. */
export class StoreInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'StoreInputError';
  }
}

export { openStore, createStore, type OpenStoreOptions, type StoreOptions } from './store.ts';
export type { CursorSigner, Cursors } from './cursors.ts';
export type { DeploymentStore } from './deployment.ts';
export type { ApiKeyKind, ApiKeyRecord, ApiKeyStore, NewApiKey } from './apiKeys.ts';
export type { IdempotencyClaim, IdempotencyScope, IdempotencyStore } from './idempotency.ts';
export { GENESIS_HASH, type AuditStore, type AuditRow, type AuditFilter, type ChainLink, type ChainSeal, type ChainHead } from './audit.ts';
export * from './auditRecord.ts';
