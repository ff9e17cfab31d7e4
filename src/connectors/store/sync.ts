// Import and reconciliation runs (migration 014): their state, so a run resumes where it stopped,
// and the drift each reconciliation found with what its repair did. Used by src/sync/.
import { DbError, UNIQUE_VIOLATION, type Db } from './db.ts';

export type SyncKind = 'import' | 'reconcile';
export type SyncStatus = 'queued' | 'running' | 'completed' | 'failed';
export type RepairStatus = 'fixed' | 'failed' | 'skipped';

export interface SyncRunRecord {
  id: string;
  kind: SyncKind;
  status: SyncStatus;
  options: Record<string, unknown>;
  requestedBy: string;
  phase: string | null;
  cursor: Record<string, string | null>;
  progress: { phase?: string; done?: number; total?: number | null };
  counts: Record<string, number>;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface DriftRecord {
  runId: string;
  seq: number;
  kind: string;
  system: string;
  customerId: string | null;
  upstreamId: string | null;
  detail: string;
  repair: string | null;
  repairStatus: RepairStatus | null;
  repairError: string | null;
}

export type NewDrift = Omit<DriftRecord, 'runId' | 'seq' | 'repairStatus' | 'repairError'>;

/** What a run saves after each committed page (in that page's transaction). */
export interface SyncProgress {
  phase: string;
  cursor?: Record<string, string | null>;
  progress: SyncRunRecord['progress'];
  counts: Record<string, number>;
}

export interface SyncStore {
  /** A new queued run, or the open one of its kind (one at a time): `created` says which. */
  create(tx: Db, run: { id: string; kind: SyncKind; options: Record<string, unknown>; requestedBy: string }): Promise<{ run: SyncRunRecord; created: boolean }>;
  get(id: string): Promise<SyncRunRecord | null>;
  /** Newest first. */
  list(kind: SyncKind | null, limit: number): Promise<SyncRunRecord[]>;
  /** Takes a queued run, or a running one whose lease passed (its process died): null when another holds it or it is over. */
  claim(id: string, owner: string, leaseMs: number): Promise<SyncRunRecord | null>;
  /** False when the lease was lost (another process took the run over). */
  save(id: string, owner: string, leaseMs: number, p: SyncProgress, tx?: Db): Promise<boolean>;
  finish(id: string, owner: string, status: 'completed' | 'failed', p: { counts: Record<string, number>; error?: string | null }): Promise<boolean>;
  addDrift(runId: string, items: readonly NewDrift[]): Promise<void>;
  /** What the repairs of a run's drift came to, many in one statement. */
  setRepairs(runId: string, outcomes: readonly { seq: number; status: RepairStatus; error: string | null }[]): Promise<void>;
  drift(runId: string, o: { afterSeq?: number; limit: number; kind?: string | null }): Promise<DriftRecord[]>;
  /** Drift per kind, and the unrepaired part of it. */
  driftCounts(runId: string): Promise<{ kind: string; count: number; unrepaired: number }[]>;
}

interface RunRow {
  id: string;
  kind: SyncKind;
  status: SyncStatus;
  options: Record<string, unknown>;
  requested_by: string;
  phase: string | null;
  cursor: Record<string, string | null>;
  progress: SyncRunRecord['progress'];
  counts: Record<string, number>;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const RUN_COLUMNS = 'id, kind, status, options, requested_by, phase, cursor, progress, counts, error, created_at, updated_at, finished_at';

const toRun = (r: RunRow): SyncRunRecord => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  options: r.options ?? {},
  requestedBy: r.requested_by,
  phase: r.phase,
  cursor: r.cursor ?? {},
  progress: r.progress ?? {},
  counts: r.counts ?? {},
  error: r.error,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  finishedAt: r.finished_at ? new Date(r.finished_at) : null,
});

interface DriftRow {
  run_id: string;
  seq: number;
  kind: string;
  system: string;
  customer_id: string | null;
  upstream_id: string | null;
  detail: string;
  repair: string | null;
  repair_status: RepairStatus | null;
  repair_error: string | null;
}

const toDrift = (r: DriftRow): DriftRecord => ({
  runId: r.run_id,
  seq: Number(r.seq),
  kind: r.kind,
  system: r.system,
  customerId: r.customer_id,
  upstreamId: r.upstream_id,
  detail: r.detail,
  repair: r.repair,
  repairStatus: r.repair_status,
  repairError: r.repair_error,
});

export function createSyncStore(db: Db): SyncStore {
  const get = async (id: string, on: Db = db) => {
    const { rows } = await on.query<RunRow>(`select ${RUN_COLUMNS} from sync_runs where id = $1`, [id]);
    return rows[0] ? toRun(rows[0]) : null;
  };
  return {
    async create(tx, run) {
      // A savepoint, so a lost race for the one open run leaves the caller's transaction usable.
      try {
        await tx.transaction((sp) =>
          sp.query(`insert into sync_runs (id, kind, status, options, requested_by) values ($1, $2, 'queued', $3, $4)`, [
            run.id,
            run.kind,
            JSON.stringify(run.options),
            run.requestedBy,
          ]),
        );
        return { run: (await get(run.id, tx))!, created: true };
      } catch (err) {
        if (!(err instanceof DbError) || err.code !== UNIQUE_VIOLATION) throw err;
        const { rows } = await tx.query<RunRow>(`select ${RUN_COLUMNS} from sync_runs where kind = $1 and status in ('queued', 'running')`, [run.kind]);
        if (!rows[0]) throw err;
        return { run: toRun(rows[0]), created: false };
      }
    },
    get: (id) => get(id),
    async list(kind, limit) {
      const { rows } = await db.query<RunRow>(
        `select ${RUN_COLUMNS} from sync_runs where ($1::text is null or kind = $1) order by created_at desc, id desc limit $2`,
        [kind, limit],
      );
      return rows.map(toRun);
    },
    async claim(id, owner, leaseMs) {
      const { rows } = await db.query<RunRow>(
        `update sync_runs set status = 'running', lease_owner = $2, lease_until = now() + ($3::integer * interval '1 millisecond'), updated_at = now()
         where id = $1 and (status = 'queued' or (status = 'running' and (lease_until is null or lease_until < now())))
         returning ${RUN_COLUMNS}`,
        [id, owner, leaseMs],
      );
      return rows[0] ? toRun(rows[0]) : null;
    },
    async save(id, owner, leaseMs, p, tx = db) {
      const res = await tx.query(
        `update sync_runs set phase = $3, cursor = case when $4::jsonb is null then cursor else cursor || $4::jsonb end, progress = $5, counts = $6,
           lease_until = now() + ($7::integer * interval '1 millisecond'), updated_at = now()
         where id = $1 and lease_owner = $2 and status = 'running' returning 1`,
        [id, owner, p.phase, p.cursor ? JSON.stringify(p.cursor) : null, JSON.stringify(p.progress), JSON.stringify(p.counts), leaseMs],
      );
      return res.rows.length > 0;
    },
    async finish(id, owner, status, p) {
      const res = await db.query(
        `update sync_runs set status = $3, counts = $4, error = $5, lease_owner = null, lease_until = null, updated_at = now(), finished_at = now()
         where id = $1 and lease_owner = $2 and status = 'running' returning 1`,
        [id, owner, status, JSON.stringify(p.counts), p.error ?? null],
      );
      return res.rows.length > 0;
    },
    async addDrift(runId, items) {
      if (!items.length) return;
      await db.query(
        `insert into sync_drift (run_id, seq, kind, system, customer_id, upstream_id, detail, repair)
         select $1, coalesce((select max(seq) from sync_drift where run_id = $1), 0) + n, kind, system, customer_id, upstream_id, detail, repair
         from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) with ordinality as s(kind, system, customer_id, upstream_id, detail, repair, n)`,
        [
          runId,
          items.map((i) => i.kind),
          items.map((i) => i.system),
          items.map((i) => i.customerId),
          items.map((i) => i.upstreamId),
          items.map((i) => i.detail),
          items.map((i) => i.repair),
        ],
      );
    },
    async setRepairs(runId, outcomes) {
      if (!outcomes.length) return;
      await db.query(
        `update sync_drift d set repair_status = o.status, repair_error = o.error
         from unnest($2::integer[], $3::text[], $4::text[]) as o(seq, status, error)
         where d.run_id = $1 and d.seq = o.seq`,
        [runId, outcomes.map((o) => o.seq), outcomes.map((o) => o.status), outcomes.map((o) => o.error)],
      );
    },
    async drift(runId, o) {
      const { rows } = await db.query<DriftRow>(
        `select * from sync_drift where run_id = $1 and seq > $2 and ($3::text is null or kind = $3) order by seq limit $4`,
        [runId, o.afterSeq ?? 0, o.kind ?? null, o.limit],
      );
      return rows.map(toDrift);
    },
    async driftCounts(runId) {
      const { rows } = await db.query<{ kind: string; count: string; unrepaired: string }>(
        `select kind, count(*) as count, count(*) filter (where repair_status is distinct from 'fixed') as unrepaired
         from sync_drift where run_id = $1 group by kind order by kind`,
        [runId],
      );
      return rows.map((r) => ({ kind: r.kind, count: Number(r.count), unrepaired: Number(r.unrepaired) }));
    },
  };
}
