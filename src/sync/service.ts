// Import and reconciliation as background jobs: a run is a row in sync_runs and a job on the queue
// (enqueued in the transaction that makes the row), executed by whichever replica takes it, and
// taken up again from its saved cursor when its process dies (the lease passes; the job's retry
// or the next start finds it). One open run of each kind at a time: a second request joins it.
// The nightly reconciliation is a pg-boss cron schedule that starts one like any other.
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { AlertMonitor } from '../alerts/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { SyncKind, SyncRunRecord } from '../connectors/store/index.ts';
import { backgroundScope, runInScope } from '../pipeline/scope.ts';
import { runImport } from './import.ts';
import { detectDrift } from './reconcile.ts';
import { repairDrift } from './fix.ts';
import { LeaseLost, Tracker } from './tracker.ts';
import type { SyncDeps } from './types.ts';

export const SYNC_QUEUE = 'sync';
export const SYNC_SCHEDULE_QUEUE = 'sync.schedule';

export interface ReconcileOptions {
  fix: boolean;
  deleteStrays: boolean;
}

export interface SyncServiceOptions extends SyncDeps {
  jobs: JobQueue | undefined;
  alerts: AlertMonitor;
  /** The nightly reconciliation: a cron expression (null: none), and whether it repairs. */
  schedule: { cron: string | null; fix: boolean };
}

export class SyncService {
  private readonly deps: SyncDeps;
  private readonly log: Logger;
  private readonly running = new Set<AbortController>();

  constructor(private readonly o: SyncServiceOptions) {
    this.deps = { connectors: o.connectors, workflows: o.workflows, logger: o.logger, settings: o.settings };
    this.log = o.logger.child({ component: 'sync' });
    o.jobs?.define({
      name: SYNC_QUEUE,
      schema: z.object({ runId: z.string().min(1).max(100) }),
      concurrency: 1,
      retryLimit: 5,
      retryDelaySeconds: 5,
      // A long import saves every page: a job that outlives this is taken up from its cursor.
      expireInSeconds: 3_600,
      handler: ({ runId }, job) => this.execute(runId, job.signal),
    });
    if (o.jobs && o.schedule.cron) {
      o.jobs.define({
        name: SYNC_SCHEDULE_QUEUE,
        schema: z.object({}).passthrough(),
        handler: async () => {
          await this.start('reconcile', { fix: o.schedule.fix, deleteStrays: false }, 'schedule');
        },
      });
      o.jobs.schedule({ queue: SYNC_SCHEDULE_QUEUE, cron: o.schedule.cron });
    }
  }

  /** A queued run (or the open one of its kind: `created` false), its job enqueued with it. */
  async start(kind: SyncKind, options: Partial<ReconcileOptions>, requestedBy: string): Promise<{ run: SyncRunRecord; created: boolean }> {
    const { store } = this.o.connectors;
    const id = `sync_${randomBytes(12).toString('hex')}`;
    const result = await store.transaction(async (tx) => {
      const made = await store.sync.create(tx, {
        id,
        kind,
        options: kind === 'reconcile' ? { fix: !!options.fix, deleteStrays: !!options.deleteStrays } : {},
        requestedBy,
      });
      if (made.created && this.o.jobs) await this.o.jobs.enqueue(tx, SYNC_QUEUE, { runId: id });
      return made;
    });
    // A joined run whose process died is taken up here too: its lease has passed.
    if (!this.o.jobs) setImmediate(() => void this.execute(result.run.id).catch(() => {}));
    else if (!result.created && result.run.status === 'running')
      await this.o.jobs.enqueue(SYNC_QUEUE, { runId: result.run.id }, { singletonKey: result.run.id });
    return result;
  }

  get(id: string): Promise<SyncRunRecord | null> {
    return this.o.connectors.store.sync.get(id);
  }

  /** The run once it is over, or as it stands after timeoutMs. */
  async wait(id: string, timeoutMs: number, onProgress?: (run: SyncRunRecord) => void): Promise<SyncRunRecord | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.get(id);
      if (run) onProgress?.(run);
      if (!run || run.status === 'completed' || run.status === 'failed' || Date.now() >= deadline) return run;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** A job's whole work: claims the run (or finds another process has it) and runs it to its end. */
  async execute(runId: string, signal?: AbortSignal): Promise<void> {
    const owner = randomUUID();
    const { store } = this.o.connectors;
    const run = await store.sync.claim(runId, owner, this.o.settings.leaseMs);
    if (!run) return;
    const abort = new AbortController();
    this.running.add(abort);
    const stop = () => abort.abort();
    signal?.addEventListener('abort', stop, { once: true });
    const t = new Tracker(run, store.sync, owner, this.o.settings.leaseMs, abort.signal);
    // Saved between pages too, so a slow upstream call does not let the lease lapse.
    const heartbeat = setInterval(() => void t.save().catch(() => {}), Math.max(500, this.o.settings.leaseMs / 3));
    const log = this.log.child({ syncRun: runId, kind: run.kind });
    log.info({ resumedAt: run.phase }, `${run.kind} started`);
    // Its own scope, never the request's that started it: no client waits, so its calls wait for quota.
    const scope = backgroundScope(`sync-${runId}`, abort.signal);
    try {
      await runInScope(scope, () => (run.kind === 'import' ? runImport(this.deps, t) : this.reconcile(t, run.options as Partial<ReconcileOptions>)));
      clearInterval(heartbeat);
      await store.sync.finish(runId, owner, 'completed', { counts: t.counts });
      log.info({ counts: t.counts }, `${run.kind} completed`);
    } catch (err) {
      clearInterval(heartbeat);
      // Lost to another process, or this one is stopping: the run resumes from its cursor elsewhere or later.
      if (err instanceof LeaseLost || abort.signal.aborted) {
        log.warn({ err }, `${run.kind} stopped; it resumes from its last page`);
        throw err;
      }
      const message = err instanceof Error ? err.message : String(err);
      log.error({ err }, `${run.kind} failed`);
      await store.sync.finish(runId, owner, 'failed', { counts: t.counts, error: message });
    } finally {
      clearInterval(heartbeat);
      signal?.removeEventListener('abort', stop);
      this.running.delete(abort);
    }
  }

  private async reconcile(t: Tracker, options: Partial<ReconcileOptions>): Promise<void> {
    const drift = await detectDrift(this.deps, t);
    const { store } = this.o.connectors;
    await store.sync.addDrift(t.run.id, drift);
    t.add('drift', drift.length);
    for (const d of drift) t.add(`drift.${d.kind}`);
    await t.save();
    if (options.fix && drift.length) {
      const stored = await store.sync.drift(t.run.id, { limit: drift.length + 1 });
      await repairDrift(this.deps, t, stored, drift, { deleteStrays: !!options.deleteStrays });
    }
    const left = (await store.sync.driftCounts(t.run.id)).reduce((n, c) => n + (options.fix ? c.unrepaired : c.count), 0);
    t.add('unrepaired', left);
    if (left) this.o.alerts.report('reconciliation_drift', 'sync', `reconciliation ${t.run.id} found ${drift.length} drift, ${left} not repaired`);
    else this.o.alerts.resolve('reconciliation_drift', 'sync', `reconciliation ${t.run.id}: the systems agree`);
  }

  /** Stops this process's runs at their next page; they resume from their cursors. */
  stop(): void {
    for (const a of this.running) a.abort();
  }
}
