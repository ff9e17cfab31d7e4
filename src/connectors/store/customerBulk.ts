// Customers a page at a time, for import and reconciliation (src/sync/): a page of upstream
// records adopted in three statements, and the whole table walked in id order. Apart from
// customers.ts, whose calls are one customer's (the graph's and the workflows').
import { DbError, UNIQUE_VIOLATION, type Db } from './db.ts';
import { StoreConflictError } from '../../errors/store.ts';
import type { CustomerRecord } from './customerTypes.ts';
import { toRecord, type CustomerRow } from './customers.ts';

export type LinkSystem = 'payments' | 'crm';

export interface UpstreamRecord {
  upstreamId: string;
  email: string;
  name: string | null;
  createdAt: Date | null;
  /** A CRM contact's lifecycle stage, mirrored for the reports. */
  lifecycleStage?: string | null;
}

export interface AdoptResult {
  /** New store customers, linked to this record only (the other system's link is still missing). */
  created: string[];
  /** Existing customers (same email) that had no link to this system and now do. */
  linked: string[];
  /** Records some customer links already. */
  alreadyLinked: number;
  /** Records whose email belongs to a customer linked to another record of this system. */
  duplicates: { upstreamId: string; customerId: string }[];
}

export interface CustomerBulkStore {
  /**
   * Adopts a page of one system's records, on `tx`: a record no customer links is linked to the
   * customer with its email (when that one has no link to the system), or becomes a new customer
   * (status PENDING, `pendingReason`); `newId` names new customers.
   */
  adopt(tx: Db, system: LinkSystem, rows: readonly UpstreamRecord[], o: { newId: () => string; pendingReason: string }): Promise<AdoptResult>;
  /** Sets a customer's email or name (a synced field's owner's value); StoreConflictError when the email is another customer's. */
  setProfile(id: string, p: { email?: string; name?: string | null }): Promise<void>;
  /** Every customer, a page at a time in id order, with when its row last changed. */
  scan(afterId: string | null, limit: number): Promise<(CustomerRecord & { updatedAt: Date })[]>;
}

const COLUMN: Record<LinkSystem, string> = { payments: 'payments_customer_id', crm: 'crm_contact_id' };
const OTHER: Record<LinkSystem, string> = { payments: 'crm_contact_id', crm: 'payments_customer_id' };

// A row as customers.ts reads it, with when it last changed.
type Row = CustomerRow & { updated_at: Date };

export function createCustomerBulkStore(db: Db): CustomerBulkStore {
  return {
    async adopt(tx, system, rows, o) {
      const col = COLUMN[system];
      const out: AdoptResult = { created: [], linked: [], alreadyLinked: 0, duplicates: [] };
      if (!rows.length) return out;
      const { rows: existing } = await tx.query<Row>(`select * from customers where lower(email) = any($1::text[]) or ${col} = any($2::text[])`, [
        rows.map((r) => r.email.toLowerCase()),
        rows.map((r) => r.upstreamId),
      ]);
      const byEmail = new Map(existing.map((c) => [c.email.toLowerCase(), c]));
      const linkedIds = new Set(existing.map((c) => (system === 'payments' ? c.payments_customer_id : c.crm_contact_id)).filter(Boolean));
      const toLink: { id: string; upstreamId: string; stage: string | null }[] = [];
      const toCreate: (UpstreamRecord & { id: string })[] = [];
      const seen = new Set<string>();
      for (const r of rows) {
        const email = r.email.toLowerCase();
        if (linkedIds.has(r.upstreamId)) {
          out.alreadyLinked++;
          continue;
        }
        const owner = byEmail.get(email);
        const ownerLink = owner && (system === 'payments' ? owner.payments_customer_id : owner.crm_contact_id);
        // A second record with one email on this page, or one whose customer links another: the oldest wins, the rest are duplicates.
        if (ownerLink || seen.has(email)) {
          out.duplicates.push({ upstreamId: r.upstreamId, customerId: owner?.id ?? toCreate.find((c) => c.email.toLowerCase() === email)?.id ?? '' });
          continue;
        }
        seen.add(email);
        if (owner) toLink.push({ id: owner.id, upstreamId: r.upstreamId, stage: r.lifecycleStage ?? null });
        else toCreate.push({ ...r, id: o.newId() });
      }
      if (toCreate.length) {
        const { rows: made } = await tx.query<{ id: string }>(
          `insert into customers (id, email, name, created_at, ${col}, link_status, link_error, crm_lifecycle_stage)
           select id, email, name, coalesce(created_at, date_trunc('milliseconds', now())), upstream_id, 'pending', $6, stage
           from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $7::text[]) as s(id, email, name, created_at, upstream_id, stage)
           on conflict do nothing returning id`,
          [
            toCreate.map((c) => c.id),
            toCreate.map((c) => c.email),
            toCreate.map((c) => c.name),
            toCreate.map((c) => (c.createdAt ? new Date(Math.floor(c.createdAt.getTime())).toISOString() : null)),
            toCreate.map((c) => c.upstreamId),
            o.pendingReason,
            toCreate.map((c) => c.lifecycleStage ?? null),
          ],
        );
        out.created = made.map((m) => m.id);
      }
      if (toLink.length) {
        // Guarded: a customer linked meanwhile (a workflow, an event) keeps its link.
        const { rows: done } = await tx.query<{ id: string }>(
          `update customers c set ${col} = s.upstream_id,
             crm_lifecycle_stage = case when $3::boolean then s.stage else c.crm_lifecycle_stage end,
             link_status = case when c.${OTHER[system]} is not null then 'linked' else c.link_status end,
             link_error = case when c.${OTHER[system]} is not null then null else c.link_error end,
             updated_at = now()
           from unnest($1::text[], $2::text[], $4::text[]) as s(id, upstream_id, stage)
           where c.id = s.id and c.${col} is null
             and not exists (select 1 from customers o where o.${col} = s.upstream_id)
           returning c.id`,
          [toLink.map((l) => l.id), toLink.map((l) => l.upstreamId), system === 'crm', toLink.map((l) => l.stage)],
        );
        out.linked = done.map((d) => d.id);
      }
      return out;
    },
    async setProfile(id, p) {
      try {
        await db.query(
          `update customers set email = case when $2::boolean then $3 else email end, name = case when $4::boolean then $5 else name end, updated_at = now() where id = $1`,
          [id, p.email !== undefined, p.email ?? null, p.name !== undefined, p.name ?? null],
        );
      } catch (err) {
        if (err instanceof DbError && err.code === UNIQUE_VIOLATION) throw new StoreConflictError('email', 'Another customer has this email');
        throw err;
      }
    },
    async scan(afterId, limit) {
      const { rows } = await db.query<Row>(`select * from customers where ($1::text is null or id > $1) order by id limit $2`, [afterId, limit]);
      return rows.map((r) => ({ ...toRecord(r), updatedAt: new Date(r.updated_at) }));
    },
  };
}
