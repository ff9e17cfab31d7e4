// Import and reconciliation's part of the configuration (README: "Import and reconciliation").
import { z } from 'zod';
import type { Config } from '../config.ts';
import { count, flag } from './env.ts';

// Five cron fields (or six, seconds first) of digits and * , - /: pg-boss reads the rest.
const CRON = /^(off|[0-9*,/-]+( [0-9*,/-]+){4,5})$/;

export const SyncEnv = {
  SYNC_PAGE_SIZE: count(1, 100).default(100),
  SYNC_LEASE_MS: count(2_000, 3_600_000).default(30_000),
  SYNC_REPAIR_WAIT_MS: count(0, 3_600_000).default(120_000),
  SYNC_STUCK_AFTER_MINUTES: count(1, 10_080).default(15),
  RECONCILE_SCHEDULE: z.string().trim().regex(CRON, 'RECONCILE_SCHEDULE must be a cron expression (e.g. 0 3 * * *) or off').default('0 3 * * *'),
  RECONCILE_SCHEDULE_FIX: flag.default('false'),
};

export interface SyncConfig {
  /** Records per listing page. */
  pageSize: number;
  /** A process holds an import or reconciliation this long between saves; then another replica takes it over. */
  leaseMs: number;
  /** How long a run waits for its repair workflows before reporting them as still running. */
  repairWaitMs: number;
  /** A PROVISIONING or PENDING customer with no run about it counts as stuck after this long. */
  stuckAfterMs: number;
  /** The nightly reconciliation (pg-boss cron, UTC); null: none. */
  scheduleCron: string | null;
  /** Whether the scheduled reconciliation repairs what it finds. */
  scheduleFix: boolean;
}

type SyncEnvValues = z.infer<z.ZodObject<typeof SyncEnv>>;

export function syncConfig(e: SyncEnvValues): Pick<Config, 'sync'> {
  return {
    sync: {
      pageSize: e.SYNC_PAGE_SIZE,
      leaseMs: e.SYNC_LEASE_MS,
      repairWaitMs: e.SYNC_REPAIR_WAIT_MS,
      stuckAfterMs: e.SYNC_STUCK_AFTER_MINUTES * 60_000,
      scheduleCron: e.RECONCILE_SCHEDULE === 'off' ? null : e.RECONCILE_SCHEDULE,
      scheduleFix: e.RECONCILE_SCHEDULE_FIX === 'true',
    },
  };
}
