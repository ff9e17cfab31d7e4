// Run as its own process by jobs-crash.test.ts: a store and a job queue on DATA_DIR (PGlite) or
// DATABASE_URL + STORE_SCHEMA, working the `crash` queue and printing one JSON line per event.
// `enqueue <mode>` adds a job first: `hang` never ends its first attempt (the test kills the
// process), `slow` takes 1.5 s (the test sends SIGTERM meanwhile).
import pino from 'pino';
import { z } from 'zod';
import { openStore } from '../../src/connectors/store/index.ts';
import { JobQueue } from '../../src/jobs/index.ts';

const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ...event, pid: process.pid })}\n`);
const env = process.env;
const store = await openStore(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, schema: env.STORE_SCHEMA! } : { dataDir: env.DATA_DIR! });
await store.migrate();
const queue = new JobQueue({
  store,
  databaseUrl: env.DATABASE_URL || undefined,
  schema: env.JOBS_SCHEMA!,
  pollIntervalMs: 500,
  logger: pino({ level: 'warn' }, process.stderr),
  superviseIntervalSeconds: 1,
});
queue.define({
  name: 'crash',
  schema: z.object({ mode: z.enum(['hang', 'slow']) }),
  expireInSeconds: 3,
  retryDelaySeconds: 0,
  retryBackoff: false,
  async handler(data, job) {
    say({ event: 'start', id: job.id, retryCount: job.retryCount, mode: data.mode });
    if (data.mode === 'hang' && job.retryCount === 0) await new Promise(() => {});
    if (data.mode === 'slow') await new Promise((r) => setTimeout(r, 1_500));
    say({ event: 'done', id: job.id });
  },
});
await queue.start();
process.once('SIGTERM', () => {
  void queue
    .stop(5_000)
    .then(() => store.close())
    .then(() => {
      say({ event: 'stopped' });
      process.exit(0);
    });
});
const [command, mode] = process.argv.slice(2);
if (command === 'enqueue') say({ event: 'enqueued', id: await queue.enqueue('crash', { mode }) });
say({ event: 'ready' });
