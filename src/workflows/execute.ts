// One execution of a run, by the process holding its lease: the steps without a journaled result,
// in order, then completion; or, after a permanent failure, the compensations of the completed
// steps in reverse. Each attempt is journaled before it starts and its result before the next
// step does, so a process killed at any point leaves a journal the next execution resumes from:
// a completed step is not run again; one that was in flight is run again with the same
// idempotency key, which is what makes the upstream act once.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Connectors } from '../connectors/index.ts';
import type { RunRecord, RunUpdate, StepRecord } from '../connectors/store/index.ts';
import { classify, type StepFailure } from './failure.ts';
import type { StepContext, WorkflowDefinition } from './types.ts';

export interface ExecuteSettings {
  maxAttempts: number;
  retryDelayMs: number;
  retryDelayMaxMs: number;
  attentionRetryMs: number;
  leaseMs: number;
}

/** What an execution asks of the engine around it. */
export interface ExecuteDeps {
  connectors: Connectors;
  logger: Logger;
  settings: ExecuteSettings;
  signal: AbortSignal;
  owner: string;
  /** Wake the run again in this many ms (a job on the queue). */
  wake(runId: string, delayMs: number): Promise<void>;
  step(e: { runId: string; workflow: string; step: string; kind: 'action' | 'compensation'; phase: 'start' | 'end' }): void;
  /** Test-only fault hook (WORKFLOW_TEST_CRASH). */
  crashPoint(runId: string, point: string): void;
  attention(run: RunRecord, reason: string | null): void;
}

export const digest = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/** Stable across attempts and processes: derived from (run, step) only. */
export const stepKey = (runId: string, step: string, kind: 'action' | 'compensation' = 'action'): string =>
  `wf-${runId}-${step}${kind === 'compensation' ? '-undo' : ''}`;

function backoff(s: ExecuteSettings, attempt: number): number {
  const base = Math.min(s.retryDelayMaxMs, s.retryDelayMs * 2 ** Math.max(0, attempt - 1));
  // Full jitter on half of it: replicas retrying the same outage do not return in step.
  return Math.round(base / 2 + (Math.random() * base) / 2);
}

export async function execute<I>(def: WorkflowDefinition<I>, run: RunRecord, d: ExecuteDeps): Promise<void> {
  const journal = d.connectors.store.workflows;
  const input = def.input.parse(run.input);
  const rows = await journal.steps(run.id);
  const row = new Map<string, StepRecord>(rows.map((r) => [`${r.kind}:${r.name}`, r]));
  const results: Record<string, unknown> = {};
  for (const r of rows) if (r.kind === 'action' && r.status === 'completed') results[r.name] = r.result;
  const ctx = (name: string, attempt: number, kind: 'action' | 'compensation' = 'action'): StepContext<I> => ({
    runId: run.id,
    input,
    results,
    idempotencyKey: stepKey(run.id, name, kind),
    attempt,
    connectors: d.connectors,
    logger: d.logger,
    signal: d.signal,
  });
  const update = async (u: RunUpdate) => {
    if (!(await journal.update(run.id, d.owner, u))) throw new Error(`run ${run.id} is no longer held by this process`);
  };

  // Waits (pending, compensating) or stops (needs_attention) after a failed attempt.
  const later = async (name: string, attempt: number, f: StepFailure, phase: 'forward' | 'compensating') => {
    const reason = `${name}: ${f.public.code}: ${f.detail}`.slice(0, 500);
    const exhausted = f.attention || !f.transient || attempt >= d.settings.maxAttempts;
    if (!exhausted) {
      if (phase === 'forward') await def.hooks?.pending?.(ctx(name, attempt), `${reason} (attempt ${attempt} of ${d.settings.maxAttempts}; retrying)`);
      const delay = backoff(d.settings, attempt);
      await update({ status: phase === 'forward' ? 'pending' : 'compensating', ...(phase === 'forward' ? { error: f.public } : {}), wakeInMs: delay });
      await d.wake(run.id, delay);
      return;
    }
    // A person must look: retries are spent on an upstream that stays down, or a compensation
    // failed for good. A transient cause is still tried now and then, so the run can finish by itself.
    await def.hooks?.needsAttention?.(ctx(name, attempt), reason, phase);
    const wakeInMs = f.transient ? d.settings.attentionRetryMs : null;
    await update({ status: 'needs_attention', ...(phase === 'forward' ? { error: f.public } : {}), wakeInMs });
    d.attention(run, reason);
    if (wakeInMs !== null) await d.wake(run.id, wakeInMs);
  };

  if (run.phase === 'forward') {
    for (const [position, step] of def.steps.entries()) {
      if (row.get(`action:${step.name}`)?.status === 'completed') continue;
      if (!step.run) throw new Error(`Step ${def.name}.${step.name} runs only at the start, and its result is not in the journal`);
      const started = await journal.stepStarted(undefined, {
        runId: run.id,
        kind: 'action',
        name: step.name,
        position,
        inputDigest: digest({ input, results }),
      });
      d.step({ runId: run.id, workflow: def.name, step: step.name, kind: 'action', phase: 'start' });
      let result: unknown;
      try {
        result = (await step.run(ctx(step.name, started.attempts))) ?? null;
      } catch (err) {
        const f = classify(err);
        await journal.stepFailed({ runId: run.id, kind: 'action', name: step.name, code: f.public.code, message: f.detail, final: !f.transient });
        d.step({ runId: run.id, workflow: def.name, step: step.name, kind: 'action', phase: 'end' });
        d.logger.warn({ runId: run.id, workflow: def.name, step: step.name, attempt: started.attempts, err }, 'workflow step failed');
        if (f.transient) return later(step.name, started.attempts, f, 'forward');
        await update({ status: 'compensating', phase: 'compensating', error: f.public, wakeInMs: d.settings.leaseMs, keepLease: true });
        return compensate();
      }
      d.crashPoint(run.id, `${def.name}.${step.name}:before-journal`);
      await journal.stepCompleted(undefined, { runId: run.id, kind: 'action', name: step.name, result });
      results[step.name] = result;
      d.step({ runId: run.id, workflow: def.name, step: step.name, kind: 'action', phase: 'end' });
      d.crashPoint(run.id, `${def.name}.${step.name}:after`);
    }
    await update({ status: 'completed', result: results, error: null, wakeInMs: null, finished: true });
    // Its alert (if one fired: a run that needed a person, or one an operator retried) is over.
    if (run.status === 'needs_attention' || run.status === 'pending') d.attention(run, null);
    return;
  }
  return compensate();

  async function compensate(): Promise<void> {
    const done = def.steps.map((step, position) => ({ step, position })).filter(({ step }) => step.compensate && step.name in results);
    for (const { step, position } of done.reverse()) {
      if (row.get(`compensation:${step.name}`)?.status === 'completed') continue;
      const started = await journal.stepStarted(undefined, {
        runId: run.id,
        kind: 'compensation',
        name: step.name,
        position,
        inputDigest: digest(results[step.name]),
      });
      d.step({ runId: run.id, workflow: def.name, step: step.name, kind: 'compensation', phase: 'start' });
      try {
        await step.compensate!({ ...ctx(step.name, started.attempts, 'compensation'), result: results[step.name] });
      } catch (err) {
        const f = classify(err);
        await journal.stepFailed({ runId: run.id, kind: 'compensation', name: step.name, code: f.public.code, message: f.detail, final: !f.transient });
        d.step({ runId: run.id, workflow: def.name, step: step.name, kind: 'compensation', phase: 'end' });
        d.logger.warn({ runId: run.id, workflow: def.name, step: step.name, attempt: started.attempts, err }, 'workflow compensation failed');
        return later(step.name, started.attempts, f, 'compensating');
      }
      await journal.stepCompleted(undefined, { runId: run.id, kind: 'compensation', name: step.name, result: null });
      d.step({ runId: run.id, workflow: def.name, step: step.name, kind: 'compensation', phase: 'end' });
    }
    await update({ status: 'compensated', wakeInMs: null, finished: true });
    // Its alert (if one fired: a run that needed a person, one an operator retried or sent to compensate) is over.
    if (run.status !== 'running') d.attention(run, null);
  }
}
