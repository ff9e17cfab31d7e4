// Currency rules for PaymentIntent amounts: the accepted ISO codes, zero-decimal currencies,
// and Stripe's per-currency minimum charge (in the smallest unit).
import { invalid } from './errors.ts';

export const CURRENCIES = [
  'usd',
  'aed',
  'aud',
  'bgn',
  'brl',
  'cad',
  'chf',
  'clp',
  'cny',
  'cop',
  'czk',
  'dkk',
  'eur',
  'gbp',
  'hkd',
  'huf',
  'idr',
  'ils',
  'inr',
  'jpy',
  'krw',
  'mxn',
  'myr',
  'nok',
  'nzd',
  'php',
  'pln',
  'ron',
  'sar',
  'sek',
  'sgd',
  'thb',
  'try',
  'twd',
  'vnd',
  'zar',
] as const;

const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

// From Stripe's "Minimum and maximum charge amounts" table; currencies not listed have no
// fixed minimum there (Stripe converts to the settlement currency), so none is enforced.
const MINIMUM: Record<string, number> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};

const MAXIMUM = 99_999_999;

const SYMBOL: Record<string, string> = { usd: '$', aud: '$', cad: '$', nzd: '$', sgd: '$', hkd: '$', mxn: '$', eur: '€', gbp: '£', jpy: '¥', inr: '₹' };

export function formatAmount(amount: number, currency: string): string {
  const symbol = SYMBOL[currency] ?? `${currency.toUpperCase()} `;
  if (ZERO_DECIMAL.has(currency)) return `${symbol}${amount.toLocaleString('en-US')}`;
  const major = (amount / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${symbol}${major}`;
}

/** Normalises and checks a `currency` parameter; Stripe accepts upper case and answers in lower case. */
export function parseCurrency(value: string, param = 'currency'): string {
  const c = value.toLowerCase();
  if (!(CURRENCIES as readonly string[]).includes(c)) {
    throw invalid(`Invalid currency: ${value}. Stripe currently supports these currencies: ${CURRENCIES.join(', ')}`, param);
  }
  return c;
}

export function checkChargeAmount(amount: number, currency: string): void {
  if (amount < 1) throw invalid('This value must be greater than or equal to 1.', 'amount');
  const min = MINIMUM[currency];
  if (min !== undefined && amount < min) {
    throw invalid(`Amount must be at least ${formatAmount(min, currency)} ${currency}`, 'amount', 'amount_too_small');
  }
  if (amount > MAXIMUM) {
    throw invalid(`Amount must be no more than ${formatAmount(MAXIMUM, currency)} ${currency}`, 'amount', 'amount_too_large');
  }
}
