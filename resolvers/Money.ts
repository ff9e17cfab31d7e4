import type { MoneyResolvers } from '../src/generated/graphql.ts';

// One formatter per currency, with its minor-unit divisor: building either per amount costs
// more than everything else this field does.
const formats = new Map<string, { format: Intl.NumberFormat; divisor: number }>();

function formatter(currency: string): { format: Intl.NumberFormat; divisor: number } {
  let f = formats.get(currency);
  if (!f) {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
    f = { format, divisor: 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2) };
    formats.set(currency, f);
  }
  return f;
}

/** Minor units to a display string, honouring zero-decimal currencies such as JPY. */
export function formatMoney(amount: number, currency: string): string {
  const f = formatter(currency);
  return f.format.format(amount / f.divisor);
}

export const Money: MoneyResolvers = {
  formatted: (m) => formatMoney(m.amount, m.currency),
};
