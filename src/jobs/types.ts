// What a queue is made of, as the rest of Switchyard declares it. pg-boss's own words (singleton
// keys, policies, tables) stay inside queue.ts.
import type { z } from 'zod';

export interface JobInfo {
  id: string;
  /** 0 on the first run, n on the n-th retry. */
  retryCount: number;
  /** Aborted when the queue stops and the grace period is over: the job will run again later. */
  signal: AbortSignal;
}

export type JobHandler<T> = (data: T, job: JobInfo) => Promise<void>;

export interface QueueSpec<T = unknown> {
  /** Letters, digits, `_`, `-`, `.`; the dead letters go to `<name>.dead`. */
  name: string;
  handler: JobHandler<T>;
  /** Checked when a job is enqueued, so a malformed job never reaches the queue. */
  schema: z.ZodType<T>;
  /** Jobs of this queue run at once in this process (default 1). */
  concurrency?: number;
  /** Retries after the first attempt (default 5). */
  retryLimit?: number;
  /** First retry delay in seconds (default 2); doubled each retry, with jitter, when retryBackoff. */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /** Longest delay between retries, in seconds (default 300). */
  retryDelayMaxSeconds?: number;
  /**
   * A run longer than this counts as failed and is retried (default 900). It is also how long a
   * job whose process died waits before another process takes it again.
   */
  expireInSeconds?: number;
  /** Keep jobs that failed every attempt in `<name>.dead` (default true). */
  deadLetter?: boolean;
}

export interface EnqueueOptions {
  /** While a job with this key waits in the queue, another with the same key is not added (null is returned). */
  singletonKey?: string;
  /** Do not run before this many seconds have passed. */
  delaySeconds?: number;
}

export interface ScheduleSpec {
  /** A defined queue. */
  queue: string;
  /** Five fields, or six with seconds first; at most one job a minute is sent whatever it says. */
  cron: string;
  data?: unknown;
  /** IANA zone the expression is read in (default UTC). */
  tz?: string;
}

export interface DeadLetter {
  id: string;
  data: unknown;
  /** The error of the last attempt, as pg-boss kept it. */
  error: unknown;
  failedAt: Date;
}

/** Bad input to the queue: an unknown queue, data its schema refuses, a bad option. */
export class JobInputError extends Error {
  readonly code = 'BAD_USER_INPUT';
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
    this.name = 'JobInputError';
  }
}
