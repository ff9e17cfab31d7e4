// The durable job queue (src/jobs/) on the store's own database: PGlite always, Postgres too when
// DATABASE_URL is set. One stack per backend declares every queue these tests use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { JobInputError } from '../../src/jobs/index.ts';

const until = async <T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(BACKENDS)('job queue on %s', (backend) => {
  let stack: Stack;
  const runs: Record<string, { data: { n: number }; retryCount: number; at: number; seen?: unknown }[]> = { once: [], fails: [], tx: [], cron: [] };
  const record = (queue: string) => async (data: { n: number }, job: { retryCount: number }) =>
    void runs[queue]!.push({ data, retryCount: job.retryCount, at: Date.now() });
  const N = z.object({ n: z.number().int() });

  beforeAll(async () => {
    stack = await startStack(backend, {
      jobs(queue, connectors) {
        queue.define({ name: 'test-once', schema: N, handler: record('once') });
        queue.define({
          name: 'test-fails',
          schema: N,
          retryLimit: 2,
          retryDelaySeconds: 1,
          retryDelayMaxSeconds: 10,
          handler: async (data, job) => {
            await record('fails')(data, job);
            throw new Error(`upstream down (attempt ${job.retryCount + 1})`);
          },
        });
        queue.define({
          name: 'test-tx',
          schema: N,
          handler: async (data, job) => {
            // The job sees the record it was enqueued with: they committed together.
            const { rows } = await connectors.store.db.query<{ n: number }>('select n from job_test_records where n = $1', [data.n]);
            runs.tx!.push({ data, retryCount: job.retryCount, at: Date.now(), seen: rows.length });
          },
        });
        queue.define({
          name: 'test-cron',
          schema: z.object({ tick: z.literal(true) }),
          handler: async (_d, job) => void runs.cron!.push({ data: { n: 0 }, retryCount: job.retryCount, at: Date.now() }),
        });
        queue.schedule({ queue: 'test-cron', cron: '* * * * * *', data: { tick: true } });
        queue.define({ name: 'test-depth', schema: N, handler: record('once') });
      },
    });
    await stack.connectors.store.db.exec('create table job_test_records (n int primary key)');
  }, 240_000);
  afterAll(async () => stack?.stop());

  it('runs a job once', async () => {
    const id = await stack.jobs!.enqueue('test-once', { n: 1 });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const t0 = Date.now();
    await until('the job to run', () => runs.once!.length > 0);
    const pickupMs = Date.now() - t0;
    await sleep(2_000); // four polling intervals: a second run would have happened by now
    console.info(`[jobs ${backend}] enqueue to run: ${pickupMs} ms`);
    expect(runs.once).toEqual([expect.objectContaining({ data: { n: 1 }, retryCount: 0 })]);
  });

  it('retries a failing job with growing delays, then keeps it as a dead letter', async () => {
    await stack.jobs!.enqueue('test-fails', { n: 7 });
    const dead = await until('the dead letter', async () => (await stack.jobs!.deadLetters('test-fails')).at(0), 30_000);
    const tries = runs.fails!;
    const gaps = tries.slice(1).map((t, i) => t.at - tries[i]!.at);
    console.info(`[jobs ${backend}] attempts ${tries.length}, gaps between them ${gaps.join(', ')} ms`);
    expect(tries.map((t) => t.retryCount)).toEqual([0, 1, 2]);
    // retryDelay 1 s, doubled with jitter: the first retry waits 1-2 s, the second 2-4 s.
    expect(gaps[0]).toBeGreaterThanOrEqual(900);
    expect(gaps[1]).toBeGreaterThanOrEqual(1_900);
    expect(dead.data).toEqual({ n: 7 });
    expect(JSON.stringify(dead.error)).toContain('upstream down (attempt 3)');
    expect(await stack.jobs!.deadLetters('test-fails')).toHaveLength(1);
  });

  it('enqueued in a transaction that rolls back, leaves no job; one that commits, runs', async () => {
    const { store } = stack.connectors;
    let enqueued: string | null = null;
    await expect(
      store.transaction(async (tx) => {
        await tx.query('insert into job_test_records (n) values ($1)', [10]);
        enqueued = await stack.jobs!.enqueue(tx, 'test-tx', { n: 10 });
        throw new Error('the caller gives up');
      }),
    ).rejects.toThrow('the caller gives up');
    expect(enqueued).toMatch(/^[0-9a-f-]{36}$/);

    let committedAt = 0;
    await store.transaction(async (tx) => {
      await tx.query('insert into job_test_records (n) values ($1)', [11]);
      await stack.jobs!.enqueue(tx, 'test-tx', { n: 11 });
      await sleep(1_000); // workers poll meanwhile; the job is not theirs until commit
      committedAt = Date.now();
    });
    await until('the committed job', () => runs.tx!.length > 0);
    await sleep(1_500);
    expect(runs.tx).toEqual([expect.objectContaining({ data: { n: 11 }, seen: 1 })]);
    expect(runs.tx![0]!.at).toBeGreaterThanOrEqual(committedAt);
    expect((await store.db.query('select n from job_test_records order by n')).rows).toEqual([{ n: 11 }]);
  });

  it('fires a cron schedule', async () => {
    // pg-boss sends at most one job a minute per schedule; the every-second expression fires at once.
    await until('a scheduled run', () => runs.cron!.length >= 1, 30_000);
    expect(runs.cron![0]!.retryCount).toBe(0);
  });

  it('reports queue depth in /metrics', async () => {
    for (const n of [1, 2, 3]) await stack.jobs!.enqueue('test-depth', { n }, { delaySeconds: 3_600 });
    const line = await until('the depth gauge', async () => {
      const res = await stack.server.app.inject({ method: 'GET', url: '/metrics' });
      return /^switchyard_job_queue_depth\{queue="test-depth"\} 3$/m.exec(res.body)?.[0];
    });
    expect(line).toBeTruthy();
    const res = await stack.server.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).toMatch(/^switchyard_job_queue_depth\{queue="test-fails\.dead"\} 1$/m);
  });

  it('refuses unknown queues and malformed data with a coded error, adding nothing', async () => {
    const unknown = await stack.jobs!.enqueue('nope', { n: 1 }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(JobInputError);
    expect(unknown).toMatchObject({ code: 'BAD_USER_INPUT', field: 'queue' });
    const bad = await stack.jobs!.enqueue('test-once', { n: 'one' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'BAD_USER_INPUT', field: 'data.n' });
    const delay = await stack.jobs!.enqueue('test-once', { n: 2 }, { delaySeconds: -1 }).catch((e: unknown) => e);
    expect(delay).toMatchObject({ code: 'BAD_USER_INPUT', field: 'delaySeconds' });
    await sleep(1_000);
    expect(runs.once!.filter((r) => r.data.n !== 1)).toEqual([]);
  });
});
