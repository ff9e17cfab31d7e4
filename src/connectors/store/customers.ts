import { DbError, UNIQUE_VIOLATION, type Db } from './db.ts';
import { lazyEdge, type Cursors } from './cursors.ts';
import { StoreConflictError, StoreInputError } from '../../errors/store.ts';
import type {
  CustomerLinks,
  CustomerPage,
  CustomerRecord,
  CustomerStore,
  LinkedCustomer,
  LinkStatus,
  ListCustomersArgs,
  NewCustomer,
} from './customerTypes.ts';

export interface CustomerRow {
  id: string;
  email: string;
  name: string | null;
  created_at: Date;
  payments_customer_id: string | null;
  crm_contact_id: string | null;
  link_status: LinkStatus;
  link_error: string | null;
  crm_lifecycle_stage: string | null;
}

const COLUMNS = 'id, email, name, created_at, payments_customer_id, crm_contact_id, link_status, link_error, crm_lifecycle_stage';

const CONFLICTS: Record<string, [field: string, message: string]> = {
  customers_pkey: ['id', 'A customer with this id already exists'],
  customers_email_lower_key: ['email', 'A customer with this email already exists'],
  customers_payments_customer_id_key: ['paymentsCustomerId', 'Another customer is linked to this payments customer'],
  customers_crm_contact_id_key: ['crmContactId', 'Another customer is linked to this CRM contact'],
};

export function toRecord(row: CustomerRow): CustomerRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    createdAt: row.created_at,
    paymentsCustomerId: row.payments_customer_id,
    crmContactId: row.crm_contact_id,
    linkStatus: row.link_status,
    linkError: row.link_error,
    crmLifecycleStage: row.crm_lifecycle_stage,
  };
}

function conflict(err: unknown): unknown {
  if (!(err instanceof DbError) || err.code !== UNIQUE_VIOLATION) return err;
  const known = err.constraint ? CONFLICTS[err.constraint] : undefined;
  return known ? new StoreConflictError(known[0], known[1]) : err;
}

// A cursor's position is [createdAt as ISO-8601 with milliseconds, id]. created_at is stored at
// millisecond precision (see 001_init.sql), so the ISO string is exact, not rounded. It is sealed
// with the search it was issued for (cursors.ts): a cursor is valid for that listing only.
const CURSOR_KIND = 'customers';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function position(value: unknown): [createdAt: string, id: string] {
  if (!Array.isArray(value) || value.length !== 2) throw new StoreInputError('after', 'after is not a cursor this connection issued');
  const [at, id] = value as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string' || !ISO_MS.test(at) || Number.isNaN(Date.parse(at))) {
    throw new StoreInputError('after', 'after is not a cursor this connection issued');
  }
  return [at, id];
}

/** A LIKE pattern matching `search` anywhere, with its own % _ and \ taken literally. */
function containsPattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function createCustomerStore(db: Db, cursors: Cursors): CustomerStore {
  const byColumn = async (column: string, keys: readonly string[], on: Db = db) => {
    if (keys.length === 0) return [];
    const { rows } = await on.query<CustomerRow>(`select ${COLUMNS} from customers where ${column} = any($1::text[])`, [[...keys]]);
    const found = new Map(rows.map((r) => [r[column as keyof CustomerRow] as string, toRecord(r)]));
    return keys.map((k) => found.get(k) ?? null);
  };

  return {
    byIds: (ids) => byColumn('id', ids),
    byPaymentsIds: (ids, tx) => byColumn('payments_customer_id', ids, tx),
    async insertLinked(rows: readonly LinkedCustomer[]) {
      // One statement: arrays in, one row each; rows whose id, email or links exist are left as they are.
      const res = await db.query(
        `insert into customers (id, email, name, created_at, payments_customer_id, crm_contact_id, crm_lifecycle_stage, link_status)
         select id, email, name, created_at, payments_id, crm_id, stage, 'linked'
         from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[])
           as s(id, email, name, created_at, payments_id, crm_id, stage)
         on conflict do nothing
         returning 1`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.email),
          rows.map((r) => r.name),
          rows.map((r) => r.createdAt.toISOString()),
          rows.map((r) => r.paymentsCustomerId),
          rows.map((r) => r.crmContactId),
          rows.map((r) => r.crmLifecycleStage ?? null),
        ],
      );
      return res.rows.length;
    },
    byCrmIds: (ids, tx) => byColumn('crm_contact_id', ids, tx),

    async byEmail(email, tx = db) {
      const { rows } = await tx.query<CustomerRow>(`select ${COLUMNS} from customers where lower(email) = lower($1)`, [email]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async list({ first, after, search }: ListCustomersArgs): Promise<CustomerPage> {
      if (!Number.isInteger(first) || first < 0) throw new StoreInputError('first', 'first must be a non-negative integer');
      const signer = await cursors.signer();
      const binding = search ?? '';
      const [afterAt, afterId] = after == null ? [null, null] : position(signer.open(CURSOR_KIND, binding, after));
      const pattern = search ? containsPattern(search) : null;
      const matches = `($1::text is null or email ilike $1 or name ilike $1)`;
      // One statement, so the page and the total come from the same snapshot; the left join keeps
      // the total row when the page is empty.
      const { rows } = await db.query<Partial<CustomerRow> & { total_count: number }>(
        `with total as (select count(*)::int as n from customers where ${matches})
         select total.n as total_count, page.*
         from total left join lateral (
           select ${COLUMNS} from customers
           where ${matches}
             and ($2::timestamptz is null or (created_at, id) < ($2::timestamptz, $3::text))
           order by created_at desc, id desc
           limit $4
         ) page on true
         order by page.created_at desc, page.id desc`,
        [pattern, afterAt, afterId, first + 1],
      );
      const totalCount = rows[0]?.total_count ?? 0;
      const items = rows.filter((r) => r.id != null).map((r) => toRecord(r as CustomerRow));
      const edges = items.slice(0, first).map((node) => lazyEdge(node, () => signer.seal(CURSOR_KIND, binding, [node.createdAt.toISOString(), node.id])));
      return { edges, hasNextPage: items.length > first, totalCount };
    },

    async insert({ id, email, name, crmContactId, crmLifecycleStage, pendingReason }: NewCustomer, tx: Db = db) {
      try {
        const { rows } = await tx.query<CustomerRow>(
          `insert into customers (id, email, name, crm_contact_id, crm_lifecycle_stage, link_status, link_error)
           values ($1, $2, $3, $4, case when $4::text is null then null else $6::text end,
             case when $5::text is null then 'provisioning' else 'pending' end, $5::text) returning ${COLUMNS}`,
          [id, email, name, crmContactId ?? null, pendingReason ?? null, crmLifecycleStage ?? null],
        );
        return toRecord(rows[0]!);
      } catch (err) {
        throw conflict(err);
      }
    },

    // An omitted field keeps its value; null clears it.
    async updateLinks(id: string, links: CustomerLinks) {
      const set = (v: string | null | undefined) => [v !== undefined, v ?? null];
      try {
        const { rows } = await db.query<CustomerRow>(
          `update customers set
             payments_customer_id = case when $2::boolean then $3::text else payments_customer_id end,
             crm_contact_id = case when $4::boolean then $5::text else crm_contact_id end,
             link_error = case when $6::boolean then $7::text else link_error end,
             link_status = $8,
             crm_lifecycle_stage = case when $9::boolean then $10::text
               when $4::boolean and crm_contact_id is distinct from $5::text then null else crm_lifecycle_stage end,
             updated_at = now()
           where id = $1
           returning ${COLUMNS}`,
          [id, ...set(links.paymentsCustomerId), ...set(links.crmContactId), ...set(links.linkError), links.linkStatus, ...set(links.crmLifecycleStage)],
        );
        if (!rows[0]) throw new StoreInputError('id', `No customer with id ${id}`);
        return toRecord(rows[0]);
      } catch (err) {
        throw conflict(err);
      }
    },

    // An omitted field keeps its value; the email is still unique (StoreConflictError on `email`).
    async updateProfile(id, profile) {
      try {
        const { rows } = await db.query<CustomerRow>(
          `update customers set
             email = coalesce($2::text, email),
             name = case when $3::boolean then $4::text else name end,
             updated_at = now()
           where id = $1
           returning ${COLUMNS}`,
          [id, profile.email ?? null, profile.name !== undefined, profile.name ?? null],
        );
        if (!rows[0]) throw new StoreInputError('id', `No customer with id ${id}`);
        return toRecord(rows[0]);
      } catch (err) {
        throw conflict(err);
      }
    },

    async version(id, tx = db) {
      // Microseconds, as the server keeps them: two changes within one millisecond still differ.
      const { rows } = await tx.query<{ v: string }>(`select to_char(updated_at at time zone 'UTC', 'YYYYMMDDHH24MISSUS') as v from customers where id = $1`, [
        id,
      ]);
      return rows[0]?.v ?? null;
    },

    async setCrmLifecycleStage(id, crmContactId, stage) {
      // updated_at stays: it is the row's version for the links and the profile (version()), which a stage is neither.
      await db.query(`update customers set crm_lifecycle_stage = $3 where id = $1 and crm_contact_id = $2 and crm_lifecycle_stage is distinct from $3`, [
        id,
        crmContactId,
        stage,
      ]);
    },

    async adoptCrmContact(id, crmContactId, stage) {
      // One statement, not read-then-write: a run linking the row meanwhile must not be undone by stale values.
      try {
        const { rows } = await db.query<{ id: string }>(
          `update customers set crm_contact_id = $2, crm_lifecycle_stage = $3,
             link_status = case when payments_customer_id is not null then 'linked' else link_status end,
             link_error = case when payments_customer_id is not null then null else link_error end,
             updated_at = now()
           where id = $1 and crm_contact_id is null and link_status not in ('provisioning', 'pending')
           returning id`,
          [id, crmContactId, stage],
        );
        return rows.length > 0;
      } catch (err) {
        throw conflict(err);
      }
    },

    async setPending(id, reason) {
      // Guarded: a customer the run has linked (or marked for repair) meanwhile keeps that status.
      await db.query(
        `update customers set link_status = 'pending', link_error = $2, updated_at = now() where id = $1 and link_status in ('provisioning', 'pending')`,
        [id, reason],
      );
    },

    async delete(id) {
      await db.query(`delete from customers where id = $1`, [id]);
    },
  };
}
