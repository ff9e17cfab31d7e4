// Import and reconciliation (DESIGN.md, "sync/"): the drift between the store, the payments
// provider and the CRM, found from full listings and repaired through workflows. `createSync` is
// what the server builds once; the CLI (cli.ts) and the graph both start runs through it.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Connectors } from '../connectors/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { AlertMonitor } from '../alerts/index.ts';
import type { WorkflowEngine } from '../workflows/index.ts';
import { SyncService } from './service.ts';
import type { FieldOwner, OwnedField } from './types.ts';

export { SyncService, SYNC_QUEUE, type ReconcileOptions } from './service.ts';

export interface CreateSyncOptions {
  connectors: Connectors;
  workflows: WorkflowEngine;
  jobs: JobQueue | undefined;
  alerts: AlertMonitor;
  logger: Logger;
  config: Config['sync'];
  fieldOwners: Record<OwnedField, FieldOwner>;
}

export function createSync(o: CreateSyncOptions): SyncService {
  return new SyncService({
    connectors: o.connectors,
    workflows: o.workflows,
    jobs: o.jobs,
    alerts: o.alerts,
    logger: o.logger,
    settings: {
      pageSize: o.config.pageSize,
      leaseMs: o.config.leaseMs,
      repairWaitMs: o.config.repairWaitMs,
      stuckAfterMs: o.config.stuckAfterMs,
      fieldOwners: o.fieldOwners,
    },
    schedule: { cron: o.config.scheduleCron, fix: o.config.scheduleFix },
  });
}
