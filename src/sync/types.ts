// What import and reconciliation are given (src/sync/service.ts builds it once).
import type { Logger } from 'pino';
import type { Connectors } from '../connectors/index.ts';
import type { WorkflowEngine } from '../workflows/index.ts';

export type OwnedField = 'email' | 'name';
export type FieldOwner = 'crm' | 'payments';

export interface SyncSettings {
  /** Records per listing page (the providers' most: 100). */
  pageSize: number;
  /** A process holds a run this long without saving; then another takes it over. */
  leaseMs: number;
  /** How long a run waits for the repair workflows it started before reporting them as still running. */
  repairWaitMs: number;
  /** A customer still PROVISIONING or PENDING this long after its last change, with no run about it, is stuck. */
  stuckAfterMs: number;
  /** Which system's value wins for each synced field (field mismatches are repaired towards it). */
  fieldOwners: Record<OwnedField, FieldOwner>;
}

export interface SyncDeps {
  connectors: Connectors;
  workflows: WorkflowEngine;
  logger: Logger;
  settings: SyncSettings;
}
