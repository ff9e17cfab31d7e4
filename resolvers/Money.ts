import type { MoneyResolvers } from '../src/generated/graphql.ts';

const formats = new Map<string, Intl.NumberFormat>();

function formatter(currency: string): Intl.NumberFormat {
  let f = formats.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
    formats.set(currency, f);
  }
  return f;
}

/** Minor units to a display string, honouring zero-decimal currencies such as JPY. */
export function formatMoney(amount: number, currency: string): string {
  const f = formatter(currency);
  return f.format(amount / 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2));
}

export const Money: MoneyResolvers = {
  formatted: (m) => formatMoney(m.amount, m.currency),
};
