// The system of record: Switchyard's own customers and their links to the payments provider and the CRM.
// Implemented once over a small SQL interface (db.ts) that both `pg` and embedded PGlite serve.

export type * from './customerTypes.ts';

export { StoreConflictError, StoreInputError, StoreUnavailableError } from '../../errors/store.ts';
export { openStore, createStore, type OpenStoreOptions, type StoreOptions } from './store.ts';
export type { CursorSigner, Cursors } from './cursors.ts';
export { lazyEdge, lazyPageInfo } from './cursors.ts';
export type { DeploymentStore } from './deployment.ts';
export type { ApiKeyKind, ApiKeyRecord, ApiKeyStore, NewApiKey } from './apiKeys.ts';
export type { ConsoleSessionRecord, ConsoleSessionStore } from './consoleSessions.ts';
export type { IdempotencyClaim, IdempotencyScope, IdempotencyStore } from './idempotency.ts';
export { GENESIS_HASH, type AuditEntry, type AuditStore, type AuditRow, type AuditFilter, type ChainLink, type ChainSeal, type ChainHead } from './audit.ts';
export * from './auditRecord.ts';
export type { NewWebhookEvent, WebhookEventRecord, WebhookEventStore, WebhookFilter, WebhookStatus } from './webhooks.ts';
export type { PaymentStore, StoredPayment } from './payments.ts';
export { mirrorOf } from './payments.ts';
export type { DayRange, LifecycleStageCount, PaymentStatusSum, ReportStore, RevenueDay } from './reports.ts';
export type { AiUsageDimension, AiUsageGroup, AiUsageReport, AiUsageRow, AiUsageStore, AiUsageSums } from './aiUsage.ts';
export type * from './workflows.ts';
export type * from './sync.ts';
export type * from './customerBulk.ts';
export type * from './storeTypes.ts';
