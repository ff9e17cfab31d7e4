// The durable workflow engine. A run is started in one transaction with its journal rows, the
// records its first step writes and its job on the queue (src/jobs/), so it exists exactly when
// they do. The job only wakes the run: whichever process takes the run's lease (claim) executes
// it from the journal (execute.ts) and keeps the lease alive with a heartbeat; a transient
// failure gives the lease back with the time the run is due again, and a delayed job to wake it.
// A process that dies holding a run stops its heartbeat, and the sweep of any replica (every few
// seconds, one cheap statement) enqueues runs whose due time passed without their job taking
// them: so no run, and no record a run is meant to move, is ever left waiting for nothing.
// Nothing here runs on the GraphQL request's AbortSignal: a client that goes away stops waiting
// for its run, never the run or its compensations.
//
// Why not a durable-workflow library: @dbos-inc/dbos-sdk 5.3 (tried) keeps its state in
// Postgres through its own connections (a pg.Pool whose clients hold BEGIN ... COMMIT across
// awaits, a dedicated LISTEN client, `new Client()` for its own migrations), so it needs a
// multi-session server; the embedded store is PGlite in-process, one session, which it cannot
// use. It would also bring a second queue beside pg-boss. The journal here is two tables and
// runs on both stores through the same SQL.
import { EventEmitter } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Connectors } from '../connectors/index.ts';
import type { RunRecord } from '../connectors/store/index.ts';
import type { Db } from '../connectors/store/db.ts';
import type { JobQueue } from '../jobs/index.ts';
import { ErrorCode, codedError } from '../errors/index.ts';
import { backgroundScope, runInScope, type OperationScope } from '../pipeline/scope.ts';
import { digest, execute, stepKey, type ExecuteSettings } from './execute.ts';
import type { WorkflowDefinition } from './types.ts';
import { RunWaiters, runChanged } from './waiters.ts';

export const WORKFLOW_QUEUE = 'workflows';

export interface WorkflowEngineOptions {
  connectors: Connectors;
  logger: Logger;
  /** Runs execute on this queue; without one (a test stack), in this process, on timers. */
  jobs?: JobQueue;
  settings: ExecuteSettings & { sweepIntervalMs?: number };
  /** How long a caller that waits for a run (createCustomer) waits before answering with what stands. */
  waitMs: number;
  /** A run needs a person (reason), or no longer does (null). */
  onAttention?: (run: RunRecord, reason: string | null) => void;
  /** Test-only fault hook: called at each crash point of each run this process started. */
  crashPoint?: (point: string) => void;
}

export interface StepEvent {
  runId: string;
  workflow: string;
  step: string;
  kind: 'action' | 'compensation';
  phase: 'start' | 'end';
}

export class WorkflowEngine {
  private readonly defs = new Map<string, WorkflowDefinition<unknown>>();
  private readonly emitter = new EventEmitter();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly executions = new Set<AbortController>();
  private readonly startedHere = new Set<string>();
  private readonly waiters: RunWaiters;
  private readonly sweepTimer: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly o: WorkflowEngineOptions) {
    this.emitter.setMaxListeners(0);
    this.waiters = new RunWaiters(o.connectors.store.workflows, this.emitter);
    o.jobs?.define({
      name: WORKFLOW_QUEUE,
      schema: z.object({ runId: z.string().min(1).max(100) }),
      concurrency: 8,
      // The engine keeps its own attempts and delays in the journal; a job failing means the
      // journal itself could not be written, and is tried again a few times.
      retryLimit: 3,
      retryDelaySeconds: 1,
      expireInSeconds: 3_600,
      handler: ({ runId }) => this.advance(runId),
    });
    this.sweepTimer = setInterval(() => void this.sweep(), o.settings.sweepIntervalMs ?? Math.min(10_000, Math.max(1_000, o.settings.leaseMs / 3)));
    this.sweepTimer.unref();
  }

  get waitMs(): number {
    return this.o.waitMs;
  }

  register<I>(def: WorkflowDefinition<I>): this {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(def.name)) throw new Error(`Invalid workflow name ${JSON.stringify(def.name)}`);
    if (this.defs.has(def.name)) throw new Error(`Workflow ${def.name} is registered twice`);
    if (def.steps.slice(1).some((s) => s.atStart)) throw new Error(`Workflow ${def.name}: only the first step may run at the start`);
    this.defs.set(def.name, def as unknown as WorkflowDefinition<unknown>);
    return this;
  }

  get names(): string[] {
    return [...this.defs.keys()];
  }

  /** Every step's start and end, in this process (tests, metrics). */
  onStep(listener: (e: StepEvent) => void): () => void {
    this.emitter.on('step', listener);
    return () => this.emitter.off('step', listener);
  }

  /**
   * Starts a run, or, for an idempotency scope that has one, answers that run: with the same
   * input (by digest), the same run; with another, IDEMPOTENCY_CONFLICT on `field`.
   */
  async begin<I>(name: string, given: I, opts: { idempotencyScope?: string | null; field?: string } = {}): Promise<{ run: RunRecord; created: boolean }> {
    const def = this.defs.get(name) as WorkflowDefinition<I> | undefined;
    if (!def) throw new Error(`No workflow ${name}`);
    const input = def.input.parse(given);
    const inputDigest = digest(def.digestOf ? def.digestOf(input) : input);
    const journal = this.o.connectors.store.workflows;
    const scope = opts.idempotencyScope ?? null;
    const replay = (existing: RunRecord) => {
      if (existing.inputDigest !== inputDigest)
        throw codedError(ErrorCode.IDEMPOTENCY_CONFLICT, 'This idempotency key was already used with another input', { field: opts.field ?? 'idempotencyKey' });
      return { run: existing, created: false };
    };
    if (scope) {
      const existing = await journal.byIdempotencyScope(name, scope);
      if (existing) return replay(existing);
    }
    const id = `wfr_${randomBytes(12).toString('hex')}`;
    const created = await this.o.connectors.store.transaction((tx) => this.insertRun(tx, def, id, input, inputDigest, scope));
    if (!created) {
      // Another request with the same key won the race to insert.
      const existing = scope ? await journal.byIdempotencyScope(name, scope) : null;
      if (!existing) throw new Error(`Run for ${name} was neither inserted nor found`);
      return replay(existing);
    }
    // Only the test-only crash hook reads it; kept empty otherwise, so it never grows.
    if (this.o.crashPoint) this.startedHere.add(id);
    // Committed with its run: the first step's "after" point is here (its job is queued already).
    if (def.steps[0]?.atStart) this.o.crashPoint?.(`${name}.${def.steps[0].name}:after`);
    if (!this.o.jobs) this.timer(id, 0);
    return { run: (await journal.get(id))!, created: true };
  }

  /**
   * Starts a run inside the caller's transaction (an event handler's, with the inbox row it
   * concerns), so the run exists exactly when the caller's records do; its id, or null when the
   * idempotency scope has a run already (a redelivered event starts nothing).
   */
  async startIn<I>(tx: Db, name: string, given: I, opts: { idempotencyScope?: string | null } = {}): Promise<string | null> {
    const def = this.defs.get(name) as WorkflowDefinition<I> | undefined;
    if (!def) throw new Error(`No workflow ${name}`);
    const input = def.input.parse(given);
    const id = `wfr_${randomBytes(12).toString('hex')}`;
    const inserted = await this.insertRun(tx, def, id, input, digest(def.digestOf ? def.digestOf(input) : input), opts.idempotencyScope ?? null);
    if (!inserted) return null;
    // Without a queue, a timer; it finds nothing until the caller commits, and the sweep takes the run then.
    if (!this.o.jobs) this.timer(id, 0);
    return id;
  }

  // The run's row, its first step (when it runs at the start) and its job, on `tx`.
  private async insertRun<I>(tx: Db, def: WorkflowDefinition<I>, id: string, input: I, inputDigest: string, scope: string | null): Promise<boolean> {
    const journal = this.o.connectors.store.workflows;
    if (!(await journal.insert(tx, { id, workflow: def.name, subject: def.subject(input), input, inputDigest, idempotencyScope: scope }))) return false;
    const first = def.steps[0];
    if (first?.atStart) {
      await journal.stepStarted(tx, { runId: id, kind: 'action', name: first.name, position: 0, inputDigest: digest({ input, results: {} }) });
      const result = await first.atStart(tx, {
        runId: id,
        input,
        results: {},
        idempotencyKey: stepKey(id, first.name),
        attempt: 1,
        connectors: this.o.connectors,
        logger: this.o.logger,
        signal: new AbortController().signal,
      });
      await journal.stepCompleted(tx, { runId: id, kind: 'action', name: first.name, result: result ?? null });
    }
    if (this.o.jobs) await this.o.jobs.enqueue(tx, WORKFLOW_QUEUE, { runId: id });
    return true;
  }

  /**
   * The run once it settled (finished, or waiting on a failing upstream), or as it stands after
   * timeoutMs; with `scope`, the run's calls meanwhile are recorded on it too (waiters.ts).
   */
  wait(runId: string, timeoutMs: number, scope?: OperationScope): Promise<RunRecord | null> {
    return this.waiters.wait(runId, timeoutMs, scope);
  }

  /** Executes a run if it is due and no live process holds it; a job's whole work. */
  async advance(runId: string): Promise<void> {
    if (this.stopped) return;
    const journal = this.o.connectors.store.workflows;
    const owner = randomUUID();
    const run = await journal.claim(runId, owner, this.o.settings.leaseMs);
    if (!run) return;
    const def = this.defs.get(run.workflow);
    const log = this.o.logger.child({ runId, workflow: run.workflow });
    if (!def) {
      log.error('no such workflow in this version; the run waits for one that has it');
      return;
    }
    const abort = new AbortController();
    this.executions.add(abort);
    const heartbeat = setInterval(
      () =>
        void journal.heartbeat(runId, owner, this.o.settings.leaseMs).then(
          (held) => held || abort.abort(),
          () => {},
        ),
      Math.max(250, this.o.settings.leaseMs / 3),
    );
    // The run's own scope, never the request's: its signal is this process's hold on the run.
    const scope = backgroundScope(`workflow-${runId}`, abort.signal);
    const own = scope.calls;
    own.push = (...events) => {
      this.waiters.forward(runId, events);
      return Array.prototype.push.apply(own, events);
    };
    try {
      await runInScope(scope, () =>
        execute(def, run, {
          connectors: this.o.connectors,
          logger: log,
          settings: this.o.settings,
          signal: abort.signal,
          owner,
          wake: (id, delayMs) => this.wake(id, delayMs),
          step: (e) => {
            this.emitter.emit('step', e);
            this.emitter.emit(runChanged(e.runId));
          },
          crashPoint: (id, point) => {
            if (this.startedHere.has(id)) this.o.crashPoint?.(point);
          },
          attention: (r, reason) => this.o.onAttention?.(r, reason),
        }),
      );
    } catch (err) {
      // The journal could not be written (the store is down) or the lease was lost: the run's
      // due time passes and the sweep (or this job's retry) takes it up again.
      log.warn({ err }, 'workflow execution stopped; the run will be taken up again');
      throw err;
    } finally {
      clearInterval(heartbeat);
      this.executions.delete(abort);
      this.emitter.emit(runChanged(runId));
    }
  }

  private async wake(runId: string, delayMs: number): Promise<void> {
    if (!this.o.jobs) return this.timer(runId, delayMs);
    // The job may come a little early (whole seconds); a run not yet due is left to the sweep.
    await this.o.jobs.enqueue(WORKFLOW_QUEUE, { runId }, delayMs > 0 ? { delaySeconds: Math.ceil(delayMs / 1000) } : {});
  }

  private timer(runId: string, delayMs: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.advance(runId).catch(() => {});
    }, delayMs);
    this.timers.add(t);
  }

  /** An operator's retry of a run that needs attention: its next attempt now, not at the next attention retry. */
  async retryNow(runId: string): Promise<boolean> {
    if (!(await this.o.connectors.store.workflows.wakeNow(runId))) return false;
    await this.wake(runId, 0);
    return true;
  }

  /** An operator gives up on a run that needs attention: it compensates now, on the queue like any run (durable). */
  async compensateNow(runId: string): Promise<boolean> {
    if (!(await this.o.connectors.store.workflows.compensateNow(runId))) return false;
    await this.wake(runId, 0);
    return true;
  }

  /** Enqueues the runs that are due with nothing to wake them (their job lost with a process, or never taken). */
  async sweep(): Promise<number> {
    if (this.stopped) return 0;
    try {
      const ids = await this.o.connectors.store.workflows.due(100);
      for (const id of ids) await this.wake(id, 0);
      if (ids.length) this.o.logger.info({ runs: ids.length }, 'workflow runs taken up again by the sweep');
      return ids.length;
    } catch (err) {
      this.o.logger.debug({ err }, 'workflow sweep failed; it runs again shortly');
      return 0;
    }
  }

  /** Stops sweeping and taking runs; runs in progress stop at their next upstream call and are resumed later. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Aborts what this process still executes (the queue's grace period is over). */
  abortRunning(): void {
    for (const a of this.executions) a.abort();
  }
}
