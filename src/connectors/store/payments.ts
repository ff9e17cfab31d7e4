// What the store knows of payments (migrations 008, 013): each payment as its provider last showed
// it, written when an event said it changed, or by the import for one it missed. Upserts of the
// current state, so applying one twice, or an older event after a newer one, leaves the same row.
import type { Db } from './db.ts';

export interface StoredPayment {
  provider: string;
  id: string;
  providerCustomerId: string | null;
  status: string;
  amount: number;
  currency: string;
  amountRefunded: number;
  /** When the payment was made upstream: the day the reports count it on (UTC). */
  createdAt: Date;
  syncedAt: Date;
}

export interface PaymentStore {
  upsert(p: Omit<StoredPayment, 'syncedAt'>): Promise<void>;
  /** The same for many payments in one statement (an import's page); a payment listed twice is written once, as its last entry. */
  upsertMany(payments: readonly Omit<StoredPayment, 'syncedAt'>[]): Promise<void>;
  byIds(provider: string, ids: readonly string[]): Promise<(StoredPayment | null)[]>;
  count(provider: string): Promise<number>;
  /** Every payment of one provider customer the store has seen. */
  byCustomer(provider: string, providerCustomerId: string): Promise<StoredPayment[]>;
}

/** A provider's payment (as a payments connector reads it) as the row that mirrors it. */
export function mirrorOf(
  provider: string,
  p: { id: string; providerCustomerId: string | null; status: string; amount: { amount: number; currency: string }; amountRefunded: number; createdAt: Date },
): Omit<StoredPayment, 'syncedAt'> {
  const { id, providerCustomerId, status, amountRefunded, createdAt } = p;
  return { provider, id, providerCustomerId, status, amount: p.amount.amount, currency: p.amount.currency, amountRefunded, createdAt };
}

interface Row {
  provider: string;
  id: string;
  provider_customer_id: string | null;
  status: string;
  amount: string;
  currency: string;
  amount_refunded: string;
  created_at: Date | null;
  synced_at: Date;
}

const toStored = (r: Row): StoredPayment => ({
  provider: r.provider,
  id: r.id,
  providerCustomerId: r.provider_customer_id,
  status: r.status,
  amount: Number(r.amount),
  currency: r.currency,
  amountRefunded: Number(r.amount_refunded),
  // Only a row mirrored before migration 013 has none (until it is written again); its sync time stands in.
  createdAt: new Date(r.created_at ?? r.synced_at),
  syncedAt: new Date(r.synced_at),
});

export function createPaymentStore(db: Db): PaymentStore {
  const upsertMany: PaymentStore['upsertMany'] = async (payments) => {
    // ON CONFLICT may not touch one row twice in a statement: the last entry of an id wins.
    const rows = [...new Map(payments.map((p) => [`${p.provider}\u0000${p.id}`, p])).values()];
    if (rows.length === 0) return;
    const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
    await db.query(
      `insert into payments (provider, id, provider_customer_id, status, amount, currency, amount_refunded, created_at, synced_at)
       select provider, id, customer, status, amount, currency, refunded, created_at, now()
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::timestamptz[])
         as s(provider, id, customer, status, amount, currency, refunded, created_at)
       on conflict (provider, id) do update set provider_customer_id = excluded.provider_customer_id, status = excluded.status,
         amount = excluded.amount, currency = excluded.currency, amount_refunded = excluded.amount_refunded,
         created_at = excluded.created_at, synced_at = now()`,
      [
        col('provider'),
        col('id'),
        col('providerCustomerId'),
        col('status'),
        col('amount'),
        col('currency'),
        col('amountRefunded'),
        rows.map((r) => r.createdAt.toISOString()),
      ],
    );
  };

  return {
    upsert: (p) => upsertMany([p]),
    upsertMany,
    async byIds(provider, ids) {
      const { rows } = await db.query<Row>(`select * from payments where provider = $1 and id = any($2::text[])`, [provider, [...ids]]);
      const by = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => {
        const r = by.get(id);
        return r ? toStored(r) : null;
      });
    },
    async byCustomer(provider, providerCustomerId) {
      const { rows } = await db.query<Row>(`select * from payments where provider = $1 and provider_customer_id = $2 order by id`, [
        provider,
        providerCustomerId,
      ]);
      return rows.map(toStored);
    },
    async count(provider) {
      const { rows } = await db.query<{ n: string }>(`select count(*)::text as n from payments where provider = $1`, [provider]);
      return Number(rows[0]!.n);
    },
  };
}
