// The reports (migration 013): read from the same views a BI tool reads, so the graph and the BI
// tool can never show two different figures for one day.
import type { Db } from './db.ts';

/** A range of UTC days, both ends included, as YYYY-MM-DD. */
export interface DayRange {
  from: string;
  to: string;
}

export interface RevenueDay {
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** Lower-case ISO 4217. */
  currency: string;
  /** Minor units: succeeded payments' amount, what has been refunded of them, and the difference. */
  gross: number;
  refunded: number;
  net: number;
  payments: number;
}

export interface PaymentStatusSum {
  status: string;
  currency: string;
  payments: number;
  amount: number;
  refunded: number;
}

export interface LifecycleStageCount {
  hasCrmContact: boolean;
  /** Null without a contact, or for contacts whose stage is not known yet. */
  stage: string | null;
  customers: number;
}

export interface ReportStore {
  /** report_revenue_daily over the days, one row per day and currency that had revenue, oldest first. */
  revenueDaily(range: DayRange & { currency?: string | null }): Promise<RevenueDay[]>;
  /** report_payments_by_status summed over the days, per status and currency. */
  paymentsByStatus(range: DayRange): Promise<PaymentStatusSum[]>;
  /** report_customers_by_lifecycle_stage: every customer counted once. */
  customersByLifecycleStage(): Promise<LifecycleStageCount[]>;
}

// bigint sums come back as strings; amounts in minor units stay far below 2^53.
const n = (v: string | number): number => Number(v);

export function createReportStore(db: Db): ReportStore {
  return {
    async revenueDaily({ from, to, currency }) {
      const { rows } = await db.query<{ day: string; currency: string; gross: string; refunded: string; net: string; payments: string }>(
        `select to_char(day, 'YYYY-MM-DD') as day, currency, gross, refunded, net, payments
         from report_revenue_daily
         where day between $1::date and $2::date and ($3::text is null or currency = $3)
         order by day, currency`,
        [from, to, currency ?? null],
      );
      return rows.map((r) => ({ day: r.day, currency: r.currency, gross: n(r.gross), refunded: n(r.refunded), net: n(r.net), payments: n(r.payments) }));
    },

    async paymentsByStatus({ from, to }) {
      const { rows } = await db.query<{ status: string; currency: string; payments: string; amount: string; refunded: string }>(
        `select status, currency, sum(payments)::bigint as payments, sum(amount)::bigint as amount, sum(refunded)::bigint as refunded
         from report_payments_by_status
         where day between $1::date and $2::date
         group by status, currency
         order by status, currency`,
        [from, to],
      );
      return rows.map((r) => ({ status: r.status, currency: r.currency, payments: n(r.payments), amount: n(r.amount), refunded: n(r.refunded) }));
    },

    async customersByLifecycleStage() {
      const { rows } = await db.query<{ has_crm_contact: boolean; lifecycle_stage: string | null; customers: string }>(
        `select has_crm_contact, lifecycle_stage, customers from report_customers_by_lifecycle_stage
         order by has_crm_contact desc, customers desc, lifecycle_stage nulls last`,
      );
      return rows.map((r) => ({ hasCrmContact: r.has_crm_contact, stage: r.lifecycle_stage, customers: n(r.customers) }));
    },
  };
}
