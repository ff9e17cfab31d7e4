// The job queue's part of the configuration (README: "Background jobs").
import { z } from 'zod';
import type { Config } from '../config.ts';
import { count } from './env.ts';

export const JobsEnv = {
  // Interpolated into pg-boss's SQL as a schema name, so only plain identifiers are accepted.
  JOBS_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'JOBS_SCHEMA: a lower-case SQL identifier, e.g. pgboss')
    .default('pgboss'),
  JOBS_POLL_INTERVAL_MS: count(500, 60_000).default(2_000),
  WEBHOOK_RETRIES: count(0, 20).default(5),
  WEBHOOK_RETRY_DELAY_SECONDS: count(0, 3_600).default(1),
};

export interface JobsConfig {
  /** The Postgres schema pg-boss keeps its tables in (beside the store's, on the same database). */
  schema: string;
  /** How often idle workers look for jobs when no notification woke them (a backstop). */
  pollIntervalMs: number;
  /** A webhook event is tried this many more times (backoff doubling from the delay, at most a minute apart) before it is dead. */
  webhookRetries: number;
  webhookRetryDelaySeconds: number;
}

type JobsEnvValues = z.infer<z.ZodObject<typeof JobsEnv>>;

export function jobsConfig(e: JobsEnvValues): Pick<Config, 'jobs'> {
  return {
    jobs: {
      schema: e.JOBS_SCHEMA,
      pollIntervalMs: e.JOBS_POLL_INTERVAL_MS,
      webhookRetries: e.WEBHOOK_RETRIES,
      webhookRetryDelaySeconds: e.WEBHOOK_RETRY_DELAY_SECONDS,
    },
  };
}
