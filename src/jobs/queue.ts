// The durable job queue: pg-boss on the store's own Postgres (its own pool on a server; the
// store's one session on embedded PGlite). Queues are declared before start(); start() creates
// or updates them, starts their workers and installs the schedules; stop() lets running jobs
// finish for a while, then hands the rest back to the queue, to be run again after a restart.
import { PgBoss, type Job, type QueueOptions } from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../connectors/store/db.ts';
import type { Store } from '../connectors/store/index.ts';
import { pgBossDb } from './adapter.ts';
import { JobInputError, type DeadLetter, type EnqueueOptions, type QueueSpec, type ScheduleSpec } from './types.ts';

export interface JobQueueOptions {
  store: Store;
  /** Set: pg-boss opens a small pool of its own on this server. Unset: the store's embedded PGlite. */
  databaseUrl?: string;
  /** Schema of pg-boss's tables. */
  schema: string;
  pollIntervalMs: number;
  logger: Logger;
  /** How often pg-boss's supervisor runs (expired jobs back to retry, queue counts); default 10 s. */
  superviseIntervalSeconds?: number;
  /** How often due cron schedules are looked at; default 30 s (pg-boss's). */
  cronIntervalSeconds?: number;
}

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/;
export const deadLetterQueue = (name: string): string => `${name}.dead`;
const DEAD_LETTER_RETENTION_SECONDS = 30 * 86_400;

function queueOptions(spec: QueueSpec<unknown>): QueueOptions & { deadLetter?: string; notify: boolean } {
  return {
    retryLimit: spec.retryLimit ?? 5,
    retryDelay: spec.retryDelaySeconds ?? 2,
    retryBackoff: spec.retryBackoff ?? true,
    ...((spec.retryBackoff ?? true) ? { retryDelayMax: spec.retryDelayMaxSeconds ?? 300 } : {}),
    expireInSeconds: spec.expireInSeconds ?? 900,
    ...(spec.deadLetter === false ? {} : { deadLetter: deadLetterQueue(spec.name) }),
    notify: true,
  };
}

export class JobQueue {
  private readonly specs = new Map<string, QueueSpec<unknown>>();
  private readonly schedules: ScheduleSpec[] = [];
  private boss: PgBoss | undefined;
  private stopping: Promise<void> | undefined;
  private readonly options: JobQueueOptions;

  constructor(options: JobQueueOptions) {
    this.options = options;
  }

  /** Declares a queue and its worker; before start(). */
  define<T>(spec: QueueSpec<T>): this {
    if (this.boss) throw new Error('JobQueue.define() after start()');
    if (!NAME.test(spec.name) || spec.name.endsWith('.dead')) throw new JobInputError('name', `Invalid queue name ${JSON.stringify(spec.name)}`);
    if (this.specs.has(spec.name)) throw new JobInputError('name', `Queue ${spec.name} is defined twice`);
    this.specs.set(spec.name, spec as QueueSpec<unknown>);
    return this;
  }

  /** Enqueues a job on a cron schedule (one per queue); before start(). */
  schedule(spec: ScheduleSpec): this {
    if (this.boss) throw new Error('JobQueue.schedule() after start()');
    if (!this.specs.has(spec.queue)) throw new JobInputError('queue', `Unknown queue ${JSON.stringify(spec.queue)}`);
    this.schedules.push(spec);
    return this;
  }

  get queues(): string[] {
    return [...this.specs.keys()];
  }

  async start(): Promise<void> {
    const { store, databaseUrl, schema, logger } = this.options;
    const boss = new PgBoss({
      ...(databaseUrl
        ? { connectionString: databaseUrl, max: 4, application_name: 'switchyard-jobs' }
        : { db: pgBossDb(store.db), backend: 'pglite' as const }),
      schema,
      useListenNotify: true,
      superviseIntervalSeconds: this.options.superviseIntervalSeconds ?? 10,
      monitorIntervalSeconds: this.options.superviseIntervalSeconds ?? 10,
      cronMonitorIntervalSeconds: this.options.cronIntervalSeconds ?? 30,
      cronWorkerIntervalSeconds: Math.min(this.options.cronIntervalSeconds ?? 5, 5),
      // The ready counts that switch a worker into burst mode (see work() below); one cheap
      // statement every 2 s, so a backlog is worked through at full speed within 2 s of forming.
      queueCacheIntervalSeconds: 2,
      // Switchyard traces its own operations; job spans would land in whatever SDK is registered.
      openTelemetry: { enabled: false },
    });
    boss.on('error', (err) => logger.error({ err }, 'job queue error'));
    boss.on('warning', (w) => logger.warn({ warning: w }, 'job queue warning'));
    await boss.start();
    try {
      for (const spec of this.specs.values()) await this.install(boss, spec);
      const scheduled = new Set(this.schedules.map((s) => s.queue));
      for (const s of this.schedules) await boss.schedule(s.queue, s.cron, (s.data ?? {}) as object, { tz: s.tz ?? 'UTC' });
      // A schedule removed from the code stops with the next start.
      for (const name of this.specs.keys()) if (!scheduled.has(name)) await boss.unschedule(name);
    } catch (err) {
      await boss.stop({ graceful: false }).catch(() => {});
      throw err;
    }
    this.boss = boss;
  }

  private async install(boss: PgBoss, spec: QueueSpec<unknown>): Promise<void> {
    const { notify, ...options } = queueOptions(spec);
    if (options.deadLetter && !(await boss.getQueue(options.deadLetter))) {
      // Kept 30 days to be looked at and replayed (pg-boss deletes a waiting job after retentionSeconds);
      // not longer, since a payload may carry personal data.
      await boss.createQueue(options.deadLetter, { retentionSeconds: DEAD_LETTER_RETENTION_SECONDS, retryLimit: 0 });
    }
    if (await boss.getQueue(spec.name)) await boss.updateQueue(spec.name, { ...options, deadLetter: options.deadLetter ?? null });
    else await boss.createQueue(spec.name, { ...options, notify });
    const log = this.options.logger.child({ queue: spec.name });
    await boss.work(
      spec.name,
      {
        localConcurrency: spec.concurrency ?? 1,
        batchSize: 1,
        // With a backlog, a worker fetches its next job as soon as one is done, instead of
        // waiting a poll interval after each (pg-boss's cached ready count says when to stop).
        burstWhenReadyExceeds: 1,
        pollingIntervalSeconds: this.options.pollIntervalMs / 1000,
        // A notification wakes a worker only for a new job; retries fall due silently, so the
        // poll behind notifications is no slower than the one without them.
        notifyPollingIntervalSeconds: this.options.pollIntervalMs / 1000,
      },
      async ([job]: Job<unknown>[]) => {
        const started = Date.now();
        try {
          await spec.handler(job!.data, { id: job!.id, retryCount: job!.retryCount, signal: job!.signal });
          log.debug({ jobId: job!.id, ms: Date.now() - started }, 'job done');
        } catch (err) {
          log.warn({ err, jobId: job!.id, retryCount: job!.retryCount }, 'job failed');
          throw err;
        }
      },
    );
  }

  private started(): PgBoss {
    if (!this.boss || this.stopping) throw new Error('The job queue is not running');
    return this.boss;
  }

  /**
   * Adds a job; with a transaction handle first, inside that transaction, so it exists exactly
   * when the records written with it do. Resolves to the job id, or null when a job with the same
   * singletonKey is already waiting.
   */
  enqueue(name: string, data: unknown, options?: EnqueueOptions): Promise<string | null>;
  enqueue(tx: Db, name: string, data: unknown, options?: EnqueueOptions): Promise<string | null>;
  async enqueue(...args: [string, unknown, EnqueueOptions?] | [Db, string, unknown, EnqueueOptions?]): Promise<string | null> {
    const [tx, name, data, options = {}] =
      typeof args[0] === 'string' ? [undefined, ...(args as [string, unknown, EnqueueOptions?])] : (args as [Db, string, unknown, EnqueueOptions?]);
    const spec = this.specs.get(name);
    if (!spec) throw new JobInputError('queue', `Unknown queue ${JSON.stringify(name)}`);
    const parsed = spec.schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new JobInputError(['data', ...issue.path.map(String)].join('.'), `Job data for ${name}: ${issue.message}`);
    }
    const { singletonKey, delaySeconds } = options;
    if (delaySeconds !== undefined && !(Number.isFinite(delaySeconds) && delaySeconds >= 0))
      throw new JobInputError('delaySeconds', 'delaySeconds must be a number >= 0');
    return this.started().send(name, parsed.data as object, {
      ...(singletonKey ? { singletonKey } : {}),
      ...(delaySeconds ? { startAfter: delaySeconds } : {}),
      ...(tx ? { db: pgBossDb(tx) } : {}),
    });
  }

  /** Jobs waiting (created or due for retry) in each queue and its dead-letter queue, as last counted. */
  async depth(): Promise<Record<string, number>> {
    const names = [...this.specs.values()].flatMap((s) => (s.deadLetter === false ? [s.name] : [s.name, deadLetterQueue(s.name)]));
    if (!names.length) return {};
    const rows = await this.started().getQueues(names);
    return Object.fromEntries(rows.map((q) => [q.name, q.queuedCount]));
  }

  /** Jobs of a queue that failed every attempt, oldest first. */
  async deadLetters(name: string, limit = 100): Promise<DeadLetter[]> {
    if (!this.specs.has(name)) throw new JobInputError('queue', `Unknown queue ${JSON.stringify(name)}`);
    const jobs = await this.started().findJobs(deadLetterQueue(name), { queued: true, limit });
    return jobs.map((j) => ({ id: j.id, data: j.data, error: j.sourceOutput, failedAt: j.createdOn }));
  }

  /** Moves a queue's dead letters back into it, to be run again; resolves to how many moved. */
  async replayDeadLetters(name: string): Promise<number> {
    if (!this.specs.has(name)) throw new JobInputError('queue', `Unknown queue ${JSON.stringify(name)}`);
    return this.started().redrive(deadLetterQueue(name), { destination: name });
  }

  /**
   * Stops taking jobs, waits up to timeoutMs for running ones, then fails what is left so it is
   * retried (by this process after a restart, or by another replica).
   */
  stop(timeoutMs = 10_000): Promise<void> {
    const boss = this.boss;
    if (!boss) return Promise.resolve();
    this.stopping ??= boss.stop({ graceful: true, timeout: Math.max(1_000, timeoutMs), close: true });
    return this.stopping;
  }
}
