// Background jobs: webhook processing, workflows, imports, reconciliation and schedules run on
// one pg-boss queue on the store's database, enqueued in the same transaction as the record
// they concern (DESIGN.md, "State"). See queue.ts for the lifecycle.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Store } from '../connectors/store/index.ts';
import { JobQueue } from './queue.ts';

export { JobQueue, deadLetterQueue, type JobQueueOptions } from './queue.ts';
export { JobInputError, type DeadLetter, type EnqueueOptions, type JobHandler, type JobInfo, type QueueSpec, type ScheduleSpec } from './types.ts';

/** The runtime's queue: on DATABASE_URL when set, else on the store's embedded PGlite. */
export function createJobQueue(config: Config, store: Store, logger: Logger): JobQueue {
  return new JobQueue({
    store,
    databaseUrl: config.databaseUrl,
    schema: config.jobs.schema,
    pollIntervalMs: config.jobs.pollIntervalMs,
    logger: logger.child({ component: 'jobs' }),
  });
}
