// The audit trail as stored: one hash chain per table. append() takes a transaction-scoped
// advisory lock, reads the chain's head and links each new record to it, so any number of
// writers (replicas, a spool being drained) produce one gap-free chain in commit order.
import type { Db } from './db.ts';
import { lazyEdge, type Cursors } from './cursors.ts';
import { StoreInputError } from '../../errors/store.ts';
import { auditColumns, type AuditOutcome, type AuditRecord, type AuditKind } from './auditRecord.ts';

/** prev_hash of the first record of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** A row's hash from the one before it, its position and its record's canonical JSON (the text stored). */
export type ChainLink = (prevHash: string, seq: number, json: string) => string;

/** A record and its canonical JSON: the text that is hashed and stored (src/plugins/audit/chain.ts). */
export interface AuditEntry {
  record: AuditRecord;
  json: string;
}
/** The keyed MAC of a row's place in the chain; absent when no key is configured. */
export type ChainSeal = (seq: number, hash: string) => string;

/** The newest row a writer linked: what the anchors outside the database record. */
export interface ChainHead {
  seq: number;
  hash: string;
  mac: string | null;
}

export interface AuditRow {
  seq: number;
  record: AuditRecord;
  prevHash: string;
  hash: string;
  /** Null when the row was written without AUDIT_HMAC_KEY. */
  mac: string | null;
  /** The indexed columns as stored (verify compares them with the record). */
  columns: ReturnType<typeof auditColumns>;
}

export interface AuditFilter {
  principalId?: string | null;
  operationName?: string | null;
  connector?: string | null;
  outcome?: AuditOutcome | null;
  kind?: AuditKind | null;
  /** Inclusive. */
  from?: Date | null;
  /** Exclusive. */
  to?: Date | null;
}

export interface AuditStore {
  /** Appends in order; records whose id is already stored (a replayed spool) are skipped. */
  append(entries: readonly AuditEntry[], link: ChainLink, seal?: ChainSeal): Promise<{ written: number; skipped: number; head: ChainHead | null }>;
  /** Newest first (by chain position); each cursor is valid only with the same filter (see cursors.ts). */
  list(
    filter: AuditFilter,
    first: number,
    after?: string | null,
  ): Promise<{ edges: { cursor: string; node: AuditRow }[]; hasNextPage: boolean; totalCount: number }>;
  /** Rows in chain order after `afterSeq`, for verification. */
  scan(afterSeq: number, limit: number): Promise<AuditRow[]>;
}

interface Row {
  seq: string;
  record: AuditRecord;
  prev_hash: string;
  hash: string;
  mac: string | null;
  occurred_at: Date;
  kind: string;
  request_id: string | null;
  principal_id: string | null;
  operation_name: string | null;
  operation_type: string | null;
  outcome: string;
  connectors: string[];
}

// seq comes back as text (pg returns bigint as a string anyway); because the output column keeps
// the name, every ORDER BY names audit_events.seq, or it would sort the text ('10' < '9').
const COLUMNS =
  'seq::text as seq, record, prev_hash, hash, mac, occurred_at, kind, request_id, principal_id, operation_name, operation_type, outcome, connectors';

function toRow(r: Row): AuditRow {
  return {
    seq: Number(r.seq),
    record: r.record,
    prevHash: r.prev_hash,
    hash: r.hash,
    mac: r.mac,
    columns: {
      occurredAt: new Date(r.occurred_at).toISOString(),
      kind: r.kind as AuditKind,
      requestId: r.request_id,
      principalId: r.principal_id,
      operationName: r.operation_name,
      operationType: r.operation_type,
      outcome: r.outcome as AuditOutcome,
      connectors: r.connectors,
    },
  };
}

const CURSOR_KIND = 'auditEvents';

function seqOf(position: unknown): number {
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 1)
    throw new StoreInputError('after', 'after is not a cursor this connection issued');
  return position;
}

/** What a cursor is sealed with: the filter, field by field in a fixed order. */
const filterBinding = (f: AuditFilter) =>
  JSON.stringify([
    f.principalId ?? null,
    f.operationName ?? null,
    f.connector ?? null,
    f.outcome ?? null,
    f.kind ?? null,
    f.from?.toISOString() ?? null,
    f.to?.toISOString() ?? null,
  ]);

function where(filter: AuditFilter, params: unknown[]): string[] {
  const clauses: string[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(`$${params.length}`));
  };
  if (filter.principalId) add((p) => `principal_id = ${p}`, filter.principalId);
  if (filter.operationName) add((p) => `operation_name = ${p}`, filter.operationName);
  if (filter.connector) add((p) => `connectors @> array[${p}::text]`, filter.connector);
  if (filter.outcome) add((p) => `outcome = ${p}`, filter.outcome);
  if (filter.kind) add((p) => `kind = ${p}`, filter.kind);
  if (filter.from) add((p) => `occurred_at >= ${p}`, filter.from);
  if (filter.to) add((p) => `occurred_at < ${p}`, filter.to);
  return clauses;
}

export function createAuditStore(db: Db, cursors: Cursors): AuditStore {
  return {
    async append(entries, link, seal) {
      if (!entries.length) return { written: 0, skipped: 0, head: null };
      return db.transaction(async (tx) => {
        // Serializes every writer of this schema's chain until commit; other schemas are not held up.
        await tx.query(`select pg_advisory_xact_lock(hashtext('switchyard.audit:' || current_schema()))`);
        const head = (await tx.query<{ seq: string; hash: string }>(`select seq::text as seq, hash from audit_events order by audit_events.seq desc limit 1`))
          .rows[0];
        const stored = await tx.query<{ id: string }>(`select id from audit_events where id = any($1::text[])`, [entries.map((e) => e.record.id)]);
        const seen = new Set(stored.rows.map((r) => r.id));
        let seq = head ? Number(head.seq) : 0;
        let prev = head?.hash ?? GENESIS_HASH;
        const rows: { seq: number; record: AuditRecord; json: string; prev: string; hash: string; mac: string | null }[] = [];
        for (const { record, json } of entries) {
          if (seen.has(record.id)) continue;
          seen.add(record.id);
          seq += 1;
          const hash = link(prev, seq, json);
          rows.push({ seq, record, json, prev, hash, mac: seal ? seal(seq, hash) : null });
          prev = hash;
        }
        if (rows.length) {
          const cols = rows.map((r) => auditColumns(r.record));
          // The records travel as one JSON array of their canonical texts, joined, not escaped:
          // as a text[] element each would be escaped for Postgres's array syntax (pg's
          // escapeElement copies every quote-laden record twice, about 10 µs each).
          await tx.query(
            `insert into audit_events (seq, id, occurred_at, kind, request_id, principal_id, operation_name, operation_type, outcome, connectors, record, prev_hash, hash, mac)
             select s.seq, s.id, s.at, s.kind, s.rid, s.pid, s.op, s.type, s.outcome, array(select jsonb_array_elements_text(s.conns::jsonb)), r.rec, s.prev, s.hash, s.mac
             from unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $12::text[], $13::text[], $14::text[])
               with ordinality as s(seq, id, at, kind, rid, pid, op, type, outcome, conns, prev, hash, mac, n)
             join jsonb_array_elements($11::jsonb) with ordinality as r(rec, n) on r.n = s.n`,
            [
              rows.map((r) => r.seq),
              rows.map((r) => r.record.id),
              cols.map((c) => c.occurredAt),
              cols.map((c) => c.kind),
              cols.map((c) => c.requestId),
              cols.map((c) => c.principalId),
              cols.map((c) => c.operationName),
              cols.map((c) => c.operationType),
              cols.map((c) => c.outcome),
              cols.map((c) => JSON.stringify(c.connectors)),
              `[${rows.map((r) => r.json).join(',')}]`,
              rows.map((r) => r.prev),
              rows.map((r) => r.hash),
              rows.map((r) => r.mac),
            ],
          );
        }
        const last = rows.at(-1);
        return { written: rows.length, skipped: entries.length - rows.length, head: last ? { seq: last.seq, hash: last.hash, mac: last.mac } : null };
      });
    },

    async list(filter, first, after) {
      const signer = await cursors.signer();
      const binding = filterBinding(filter);
      const params: unknown[] = [];
      const clauses = where(filter, params);
      const countSql = `select count(*)::int as n from audit_events${clauses.length ? ` where ${clauses.join(' and ')}` : ''}`;
      const total = (await db.query<{ n: number }>(countSql, [...params])).rows[0]?.n ?? 0;
      if (after) {
        params.push(seqOf(signer.open(CURSOR_KIND, binding, after)));
        clauses.push(`seq < $${params.length}`);
      }
      params.push(first + 1);
      const sql = `select ${COLUMNS} from audit_events${clauses.length ? ` where ${clauses.join(' and ')}` : ''} order by audit_events.seq desc limit $${params.length}`;
      const { rows } = await db.query<Row>(sql, params);
      const edges = rows
        .slice(0, first)
        .map(toRow)
        .map((node) => lazyEdge(node, () => signer.seal(CURSOR_KIND, binding, node.seq)));
      return { edges, hasNextPage: rows.length > first, totalCount: total };
    },

    async scan(afterSeq, limit) {
      const { rows } = await db.query<Row>(`select ${COLUMNS} from audit_events where seq > $1 order by audit_events.seq limit $2`, [afterSeq, limit]);
      return rows.map(toRow);
    },
  };
}
