// The workflow journal (migration 011): runs and their steps. Every change is one statement; the
// ones a run's executor makes are guarded by its lease (lease_owner), so a process that lost the
// run to another (its heartbeat stopped, the sweep gave the run to a live replica) cannot write
// over what the new owner does.
import type { Db } from './db.ts';
import { StoreInputError } from '../../errors/store.ts';
import { lazyEdge, type Cursors } from './cursors.ts';

export type RunStatus = 'running' | 'pending' | 'compensating' | 'completed' | 'compensated' | 'needs_attention';
export type RunPhase = 'forward' | 'compensating';
export type StepKind = 'action' | 'compensation';
export type StepStatus = 'running' | 'completed' | 'failed' | 'retrying';

export interface RunError {
  code: string;
  message: string;
  extensions?: Record<string, unknown>;
}

export interface RunRecord {
  id: string;
  workflow: string;
  status: RunStatus;
  phase: RunPhase;
  subject: string | null;
  input: unknown;
  inputDigest: string;
  result: unknown;
  error: RunError | null;
  attempts: number;
  wakeAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface StepRecord {
  runId: string;
  kind: StepKind;
  name: string;
  position: number;
  status: StepStatus;
  attempts: number;
  inputDigest: string | null;
  result: unknown;
  errorCode: string | null;
  errorMessage: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface NewRun {
  id: string;
  workflow: string;
  subject: string | null;
  input: unknown;
  inputDigest: string;
  idempotencyScope: string | null;
}

export interface RunFilter {
  workflow?: string | null;
  status?: RunStatus | null;
  subject?: string | null;
}

export interface RunUpdate {
  status: RunStatus;
  phase?: RunPhase;
  result?: unknown;
  error?: RunError | null;
  /** Due again in this many ms (null: not before something wakes it). */
  wakeInMs: number | null;
  finished?: boolean;
  /** Keep holding the run (a change of phase mid-execution); wakeInMs is then the lease. */
  keepLease?: boolean;
}

export interface WorkflowStore {
  /** Inserts on `tx` (with the run's first job and records); StoreConflictError-free: a taken key answers null. */
  insert(tx: Db, run: NewRun): Promise<boolean>;
  get(id: string): Promise<RunRecord | null>;
  byIdempotencyScope(workflow: string, scope: string): Promise<RunRecord | null>;
  /** Takes the run for `owner` for `leaseMs` if it is unfinished and due (or its lease ran out); null otherwise. */
  claim(id: string, owner: string, leaseMs: number): Promise<RunRecord | null>;
  /** Pushes the lease forward; false when the run is no longer this owner's. */
  heartbeat(id: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Records where the run stands and gives up its lease; false when it was no longer this owner's. */
  update(id: string, owner: string, u: RunUpdate): Promise<boolean>;
  steps(runId: string): Promise<StepRecord[]>;
  stepsOf(runIds: readonly string[]): Promise<StepRecord[][]>;
  /** A step's attempt starts: counted, whatever it ends in; the row as it is now. */
  stepStarted(tx: Db | undefined, s: { runId: string; kind: StepKind; name: string; position: number; inputDigest: string }): Promise<StepRecord>;
  stepCompleted(tx: Db | undefined, s: { runId: string; kind: StepKind; name: string; result: unknown }): Promise<void>;
  stepFailed(s: { runId: string; kind: StepKind; name: string; code: string; message: string; final: boolean }): Promise<void>;
  /** Unfinished runs whose wake_at passed a while ago (their job was lost, or their executor died): the sweep's work. */
  due(limit: number): Promise<string[]>;
  /** Of these subjects, those an unfinished run is about (a repair must not race it). */
  openSubjects(subjects: readonly string[]): Promise<Set<string>>;
  /** A run that needs attention is due now, PENDING (an operator's retry); false when it does not need it, or a process holds it. */
  wakeNow(id: string): Promise<boolean>;
  /**
   * An operator gives up on a run that needs attention in its forward phase: it is due now,
   * COMPENSATING, so its next execution undoes its completed steps; false when it is not such a
   * run, or a process holds it.
   */
  compensateNow(id: string): Promise<boolean>;
  list(
    filter: RunFilter,
    first: number,
    after?: string | null,
  ): Promise<{ items: { cursor: string; node: RunRecord }[]; hasNextPage: boolean; totalCount: number }>;
}

interface RunRow {
  id: string;
  workflow: string;
  status: RunStatus;
  phase: RunPhase;
  subject: string | null;
  input: unknown;
  input_digest: string;
  result: unknown;
  error: RunError | null;
  attempts: number;
  wake_at: Date | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

interface StepRow {
  run_id: string;
  kind: StepKind;
  name: string;
  position: number;
  status: StepStatus;
  attempts: number;
  input_digest: string | null;
  result: unknown;
  error_code: string | null;
  error_message: string | null;
  started_at: Date | null;
  finished_at: Date | null;
}

const RUN_COLUMNS = 'id, workflow, status, phase, subject, input, input_digest, result, error, attempts, wake_at, created_at, updated_at, finished_at';
const STEP_COLUMNS = 'run_id, kind, name, position, status, attempts, input_digest, result, error_code, error_message, started_at, finished_at';
const OPEN = `status not in ('completed', 'compensated')`;
const CURSOR_KIND = 'workflow_runs';
// Errors as kept: enough to diagnose, bounded so a huge upstream answer cannot bloat the row.
const MAX_ERROR = 2_000;

const date = (d: Date | null) => (d ? new Date(d) : null);

const toRun = (r: RunRow): RunRecord => ({
  id: r.id,
  workflow: r.workflow,
  status: r.status,
  phase: r.phase,
  subject: r.subject,
  input: r.input,
  inputDigest: r.input_digest,
  result: r.result,
  error: r.error,
  attempts: r.attempts,
  wakeAt: date(r.wake_at),
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  finishedAt: date(r.finished_at),
});

const toStep = (r: StepRow): StepRecord => ({
  runId: r.run_id,
  kind: r.kind,
  name: r.name,
  position: r.position,
  status: r.status,
  attempts: r.attempts,
  inputDigest: r.input_digest,
  result: r.result,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  startedAt: date(r.started_at),
  finishedAt: date(r.finished_at),
});

// jsonb parameters go in as text: both drivers would otherwise turn an array into a Postgres array.
const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

function where(f: RunFilter, params: unknown[]): string {
  const clauses: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (f.workflow) add('workflow = ?', f.workflow);
  if (f.status) add('status = ?', f.status);
  if (f.subject) add('subject = ?', f.subject);
  return clauses.length ? ` where ${clauses.join(' and ')}` : '';
}

export function createWorkflowStore(db: Db, cursors: Cursors): WorkflowStore {
  const stepsOf = async (runIds: readonly string[]) => {
    if (!runIds.length) return [];
    const { rows } = await db.query<StepRow>(`select ${STEP_COLUMNS} from workflow_steps where run_id = any($1::text[]) order by kind, position`, [
      [...runIds],
    ]);
    return runIds.map((id) => rows.filter((r) => r.run_id === id).map(toStep));
  };
  return {
    async insert(tx, run) {
      const { rows } = await tx.query(
        `insert into workflow_runs (id, workflow, status, subject, input, input_digest, idempotency_scope, wake_at)
         values ($1, $2, 'running', $3, $4::jsonb, $5, $6, now())
         on conflict (workflow, idempotency_scope) do nothing
         returning 1`,
        [run.id, run.workflow, run.subject, json(run.input), run.inputDigest, run.idempotencyScope],
      );
      return rows.length > 0;
    },
    async get(id) {
      const { rows } = await db.query<RunRow>(`select ${RUN_COLUMNS} from workflow_runs where id = $1`, [id]);
      return rows[0] ? toRun(rows[0]) : null;
    },
    async byIdempotencyScope(workflow, scope) {
      const { rows } = await db.query<RunRow>(`select ${RUN_COLUMNS} from workflow_runs where workflow = $1 and idempotency_scope = $2`, [workflow, scope]);
      return rows[0] ? toRun(rows[0]) : null;
    },
    async claim(id, owner, leaseMs) {
      const { rows } = await db.query<RunRow>(
        `update workflow_runs set lease_owner = $2, wake_at = now() + $3 * interval '1 millisecond', attempts = attempts + 1, updated_at = now()
         where id = $1 and ${OPEN} and (wake_at is null or wake_at <= now())
         returning ${RUN_COLUMNS}`,
        [id, owner, leaseMs],
      );
      return rows[0] ? toRun(rows[0]) : null;
    },
    async heartbeat(id, owner, leaseMs) {
      const { rows } = await db.query(
        `update workflow_runs set wake_at = now() + $3 * interval '1 millisecond' where id = $1 and lease_owner = $2 and ${OPEN} returning 1`,
        [id, owner, leaseMs],
      );
      return rows.length > 0;
    },
    async update(id, owner, u) {
      const { rows } = await db.query(
        `update workflow_runs set
           status = $3,
           phase = coalesce($4, phase),
           result = case when $5::boolean then $6::jsonb else result end,
           error = case when $7::boolean then $8::jsonb else error end,
           wake_at = case when $9::bigint is null then null else now() + $9 * interval '1 millisecond' end,
           finished_at = case when $10::boolean then now() else finished_at end,
           lease_owner = case when $11::boolean then lease_owner else null end,
           updated_at = now()
         where id = $1 and lease_owner = $2
         returning 1`,
        [
          id,
          owner,
          u.status,
          u.phase ?? null,
          u.result !== undefined,
          json(u.result),
          u.error !== undefined,
          json(u.error),
          u.wakeInMs,
          u.finished ?? false,
          u.keepLease ?? false,
        ],
      );
      return rows.length > 0;
    },
    steps: async (runId) => (await stepsOf([runId]))[0] ?? [],
    stepsOf,
    async stepStarted(tx, s) {
      const { rows } = await (tx ?? db).query<StepRow>(
        `insert into workflow_steps (run_id, kind, name, position, status, attempts, input_digest, started_at)
         values ($1, $2, $3, $4, 'running', 1, $5, now())
         on conflict (run_id, kind, name) do update set status = 'running', attempts = workflow_steps.attempts + 1, input_digest = $5
         returning ${STEP_COLUMNS}`,
        [s.runId, s.kind, s.name, s.position, s.inputDigest],
      );
      return toStep(rows[0]!);
    },
    async stepCompleted(tx, s) {
      await (tx ?? db).query(
        `update workflow_steps set status = 'completed', result = $4::jsonb, error_code = null, error_message = null, finished_at = now()
         where run_id = $1 and kind = $2 and name = $3`,
        [s.runId, s.kind, s.name, json(s.result ?? null)],
      );
    },
    async stepFailed(s) {
      await db.query(
        `update workflow_steps set status = $4, error_code = $5, error_message = $6, finished_at = case when $4 = 'failed' then now() else null end
         where run_id = $1 and kind = $2 and name = $3`,
        [s.runId, s.kind, s.name, s.final ? 'failed' : 'retrying', s.code, s.message.slice(0, MAX_ERROR)],
      );
    },
    async due(limit) {
      const { rows } = await db.query<{ id: string }>(
        `select id from workflow_runs where ${OPEN} and wake_at is not null and wake_at <= now() - interval '2 seconds' order by wake_at limit $1`,
        [limit],
      );
      return rows.map((r) => r.id);
    },
    async openSubjects(subjects) {
      if (!subjects.length) return new Set();
      const { rows } = await db.query<{ subject: string }>(`select distinct subject from workflow_runs where ${OPEN} and subject = any($1::text[])`, [
        [...subjects],
      ]);
      return new Set(rows.map((r) => r.subject));
    },
    async wakeNow(id) {
      const res = await db.query(
        // PENDING (or COMPENSATING) again: waiting for its next attempt, not for a person, until that attempt says otherwise.
        `update workflow_runs set status = case when phase = 'compensating' then 'compensating' else 'pending' end, wake_at = now(), updated_at = now()
         where id = $1 and status = 'needs_attention' and (lease_owner is null or wake_at is null or wake_at < now()) returning 1`,
        [id],
      );
      return res.rows.length > 0;
    },
    async compensateNow(id) {
      const res = await db.query(
        `update workflow_runs set status = 'compensating', phase = 'compensating', wake_at = now(), updated_at = now()
         where id = $1 and status = 'needs_attention' and phase = 'forward' and (lease_owner is null or wake_at is null or wake_at < now()) returning 1`,
        [id],
      );
      return res.rows.length > 0;
    },
    async list(f, first, after) {
      const params: unknown[] = [];
      const filtered = where(f, params);
      const signer = await cursors.signer();
      const filterKey = JSON.stringify([f.workflow ?? null, f.status ?? null, f.subject ?? null]);
      const total = await db.query<{ n: string }>(`select count(*)::text as n from workflow_runs${filtered}`, params);
      let clauses = filtered;
      if (after) {
        const pos = signer.open(CURSOR_KIND, filterKey, after) as unknown[];
        if (!Array.isArray(pos) || pos.length !== 2 || typeof pos[0] !== 'string' || typeof pos[1] !== 'string')
          throw new StoreInputError('after', 'after is not a cursor of this listing');
        params.push(pos[0], pos[1]);
        clauses += `${clauses ? ' and' : ' where'} (created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`;
      }
      params.push(first + 1);
      const { rows } = await db.query<RunRow>(
        `select ${RUN_COLUMNS} from workflow_runs${clauses} order by created_at desc, id desc limit $${params.length}`,
        params,
      );
      const page = rows.slice(0, first).map(toRun);
      return {
        items: page.map((node) => lazyEdge(node, () => signer.seal(CURSOR_KIND, filterKey, [node.createdAt.toISOString(), node.id]))),
        hasNextPage: rows.length > first,
        totalCount: Number(total.rows[0]!.n),
      };
    },
  };
}
