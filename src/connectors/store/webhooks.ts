// The webhook inbox (migration 008): one row per (instance, event id), inserted with the job that
// processes it. Every change of state is one statement, guarded so a late or repeated job never
// moves a processed event back.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import { StoreInputError } from '../../errors/store.ts';
import { lazyEdge, type Cursors } from './cursors.ts';

export type WebhookStatus = 'received' | 'processed' | 'failed' | 'dead';

export interface WebhookEventRecord {
  id: string;
  provider: string;
  eventId: string;
  type: string;
  objectId: string | null;
  status: WebhookStatus;
  attempts: number;
  occurredAt: Date;
  receivedAt: Date;
  processedAt: Date | null;
  lastError: string | null;
  payload: unknown;
}

export interface NewWebhookEvent {
  provider: string;
  eventId: string;
  type: string;
  objectId: string | null;
  occurredAt: Date;
  payload: unknown;
}

export interface WebhookFilter {
  provider?: string | null;
  status?: WebhookStatus | null;
  type?: string | null;
  from?: Date | null;
  to?: Date | null;
}

export interface WebhookEventStore {
  /** Inserts on `tx`; the id of the new row, or null when (provider, eventId) is already there. */
  insert(tx: Db, event: NewWebhookEvent): Promise<string | null>;
  get(id: string): Promise<WebhookEventRecord | null>;
  /** An attempt starts: counted, whatever it ends in. */
  started(id: string): Promise<void>;
  /** False when it was processed already (another attempt won): its effect is not applied twice. On `tx` when given. */
  processed(id: string, tx?: Db): Promise<boolean>;
  failed(id: string, error: string, dead: boolean): Promise<void>;
  /** Puts the matching events (processed ones too: applying current state again is harmless) back to received; their ids. */
  reopen(tx: Db, filter: WebhookFilter & { ids?: readonly string[] }): Promise<string[]>;
  list(
    filter: WebhookFilter,
    first: number,
    after?: string | null,
  ): Promise<{ items: { cursor: string; node: WebhookEventRecord }[]; hasNextPage: boolean; totalCount: number }>;
  /** Events not processed yet, by status (the inbox backlog). */
  backlog(): Promise<Record<WebhookStatus, number>>;
}

interface Row {
  id: string;
  provider: string;
  event_id: string;
  type: string;
  object_id: string | null;
  status: WebhookStatus;
  attempts: number;
  occurred_at: Date;
  received_at: Date;
  processed_at: Date | null;
  last_error: string | null;
  payload: unknown;
}

const COLUMNS = 'id, provider, event_id, type, object_id, status, attempts, occurred_at, received_at, processed_at, last_error, payload';
const CURSOR_KIND = 'webhook_events';
// The last error as kept: enough to diagnose, bounded so a huge upstream answer cannot bloat the row.
const MAX_ERROR = 2_000;

const toRecord = (r: Row): WebhookEventRecord => ({
  id: r.id,
  provider: r.provider,
  eventId: r.event_id,
  type: r.type,
  objectId: r.object_id,
  status: r.status,
  attempts: r.attempts,
  occurredAt: new Date(r.occurred_at),
  receivedAt: new Date(r.received_at),
  processedAt: r.processed_at ? new Date(r.processed_at) : null,
  lastError: r.last_error,
  payload: r.payload,
});

function where(f: WebhookFilter, params: unknown[]): string[] {
  const clauses: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (f.provider) add('provider = ?', f.provider);
  if (f.status) add('status = ?', f.status);
  if (f.type) add('type = ?', f.type);
  if (f.from) add('received_at >= ?', f.from.toISOString());
  if (f.to) add('received_at < ?', f.to.toISOString());
  return clauses;
}

export function createWebhookEventStore(db: Db, cursors: Cursors): WebhookEventStore {
  return {
    async insert(tx, e) {
      const { rows } = await tx.query<{ id: string }>(
        `insert into webhook_events (id, provider, event_id, type, object_id, occurred_at, payload)
         values ($1, $2, $3, $4, $5, $6, $7::jsonb)
         on conflict (provider, event_id) do nothing
         returning id`,
        [randomUUID(), e.provider, e.eventId, e.type, e.objectId, e.occurredAt.toISOString(), JSON.stringify(e.payload)],
      );
      return rows[0]?.id ?? null;
    },
    async get(id) {
      const { rows } = await db.query<Row>(`select ${COLUMNS} from webhook_events where id = $1`, [id]);
      return rows[0] ? toRecord(rows[0]) : null;
    },
    async started(id) {
      await db.query(`update webhook_events set attempts = attempts + 1 where id = $1 and status <> 'processed'`, [id]);
    },
    async processed(id, tx = db) {
      const { rows } = await tx.query(
        `update webhook_events set status = 'processed', processed_at = now(), last_error = null where id = $1 and status <> 'processed' returning 1`,
        [id],
      );
      return rows.length > 0;
    },
    async failed(id, error, dead) {
      await db.query(`update webhook_events set status = $2, last_error = $3 where id = $1 and status <> 'processed'`, [
        id,
        dead ? 'dead' : 'failed',
        error.slice(0, MAX_ERROR),
      ]);
    },
    async reopen(tx, f) {
      const params: unknown[] = [];
      const clauses = where(f, params);
      if (f.ids) {
        params.push([...f.ids]);
        clauses.push(`id = any($${params.length}::text[])`);
      }
      const { rows } = await tx.query<{ id: string }>(
        `update webhook_events set status = 'received', last_error = null${clauses.length ? ` where ${clauses.join(' and ')}` : ''} returning id`,
        params,
      );
      return rows.map((r) => r.id);
    },
    async list(f, first, after) {
      const params: unknown[] = [];
      const clauses = where(f, params);
      const signer = await cursors.signer();
      const filterKey = JSON.stringify([f.provider ?? null, f.status ?? null, f.type ?? null, f.from?.toISOString() ?? null, f.to?.toISOString() ?? null]);
      const total = await db.query<{ n: string }>(
        `select count(*)::text as n from webhook_events${clauses.length ? ` where ${clauses.join(' and ')}` : ''}`,
        params,
      );
      if (after) {
        const pos = signer.open(CURSOR_KIND, filterKey, after) as unknown[];
        if (!Array.isArray(pos) || pos.length !== 2 || typeof pos[0] !== 'string' || typeof pos[1] !== 'string')
          throw new StoreInputError('after', 'after is not a cursor of this listing');
        params.push(pos[0], pos[1]);
        clauses.push(`(received_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
      }
      params.push(first + 1);
      const { rows } = await db.query<Row>(
        `select ${COLUMNS} from webhook_events${clauses.length ? ` where ${clauses.join(' and ')}` : ''} order by received_at desc, id desc limit $${params.length}`,
        params,
      );
      const page = rows.slice(0, first).map(toRecord);
      return {
        items: page.map((node) => lazyEdge(node, () => signer.seal(CURSOR_KIND, filterKey, [node.receivedAt.toISOString(), node.id]))),
        hasNextPage: rows.length > first,
        totalCount: Number(total.rows[0]!.n),
      };
    },
    async backlog() {
      const { rows } = await db.query<{ status: WebhookStatus; n: string }>(
        `select status, count(*)::text as n from webhook_events where status <> 'processed' group by status`,
      );
      const out: Record<WebhookStatus, number> = { received: 0, processed: 0, failed: 0, dead: 0 };
      for (const r of rows) out[r.status] = Number(r.n);
      return out;
    },
  };
}
