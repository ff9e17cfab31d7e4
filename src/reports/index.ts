// Reports over the store's mirror of the other systems (README "Reports"): revenue per day and
// currency, payments by status, customers by CRM lifecycle stage. The figures are the report
// views' (migration 013), which a BI tool reads too; this adds the range rules and the totals.
import type { DayRange, LifecycleStageCount, PaymentStatusSum, ReportStore, RevenueDay } from '../connectors/store/index.ts';
import { badInput } from '../errors/index.ts';

const DAY_MS = 86_400_000;
/** The longest range a report covers, in days (both ends included): a year, leap day too. */
export const MAX_REPORT_DAYS = 366;

export interface RevenueTotal {
  currency: string;
  gross: number;
  refunded: number;
  net: number;
  payments: number;
}

export interface RevenueReport extends DayRange {
  currency: string | null;
  days: RevenueDay[];
  totals: RevenueTotal[];
}

export interface PaymentsReport extends DayRange {
  groups: PaymentStatusSum[];
}

const isoDay = (field: string, value: Date | string): string => {
  const d = value instanceof Date ? value : new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(d.getTime())) throw badInput(field, `${field} must be a date (YYYY-MM-DD)`);
  return d.toISOString().slice(0, 10);
};

/** The days from `from` to `to`, both included: `to` not before `from`, at most MAX_REPORT_DAYS of them. */
export function checkDays(from: Date | string, to: Date | string): DayRange {
  const range = { from: isoDay('from', from), to: isoDay('to', to) };
  const days = (Date.parse(range.to) - Date.parse(range.from)) / DAY_MS + 1;
  if (days < 1) throw badInput('to', 'to must not be before from');
  if (days > MAX_REPORT_DAYS) throw badInput('from', `The range may span at most ${MAX_REPORT_DAYS} days (from ${range.from} to ${range.to} is ${days})`);
  return range;
}

/** A currency as the mirror keeps it (lower-case ISO 4217); anything but three letters is refused. */
export function checkCurrency(field: string, value: string | null | undefined): string | null {
  if (value == null) return null;
  const code = value.toLowerCase();
  if (!/^[a-z]{3}$/.test(code)) throw badInput(field, `${field} must be a three-letter ISO-4217 code`);
  return code;
}

export async function revenueReport(reports: ReportStore, range: DayRange, currency: string | null): Promise<RevenueReport> {
  const days = await reports.revenueDaily({ ...range, currency });
  const totals = new Map<string, RevenueTotal>();
  for (const d of days) {
    const t = totals.get(d.currency) ?? { currency: d.currency, gross: 0, refunded: 0, net: 0, payments: 0 };
    t.gross += d.gross;
    t.refunded += d.refunded;
    t.net += d.net;
    t.payments += d.payments;
    totals.set(d.currency, t);
  }
  return { ...range, currency, days, totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)) };
}

export async function paymentsReport(reports: ReportStore, range: DayRange): Promise<PaymentsReport> {
  return { ...range, groups: await reports.paymentsByStatus(range) };
}

export function customersByLifecycleStage(reports: ReportStore): Promise<LifecycleStageCount[]> {
  return reports.customersByLifecycleStage();
}
