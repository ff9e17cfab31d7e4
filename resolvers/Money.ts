import type { MoneyResolvers } from '../src/generated/graphql.ts';

// One formatter per currency, with its minor-unit divisor: building either per amount costs
// more than everything else this field does. Each also remembers the strings it made: one
// Intl format is about 0.6 µs, 100 µs for the 150 amounts of a page of customers with their
// payments, and amounts repeat (prices, plans); a full memo is emptied, so it stays bounded.
const MEMO_MAX = 4_096;
const formats = new Map<string, { format: Intl.NumberFormat; divisor: number; memo: Map<number, string> }>();

function formatter(currency: string): { format: Intl.NumberFormat; divisor: number; memo: Map<number, string> } {
  let f = formats.get(currency);
  if (!f) {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
    f = { format, divisor: 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2), memo: new Map() };
    formats.set(currency, f);
  }
  return f;
}

/** Minor units to a display string, honouring zero-decimal currencies such as JPY. */
export function formatMoney(amount: number, currency: string): string {
  const f = formatter(currency);
  // The memo's keys compare -0 equal to 0, which formats apart ("-$0.00").
  if (Object.is(amount, -0)) return f.format.format(amount / f.divisor);
  let text = f.memo.get(amount);
  if (text === undefined) {
    text = f.format.format(amount / f.divisor);
    if (f.memo.size >= MEMO_MAX) f.memo.clear();
    f.memo.set(amount, text);
  }
  return text;
}

export const Money: MoneyResolvers = {
  formatted: (m) => formatMoney(m.amount, m.currency),
};
