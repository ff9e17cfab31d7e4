import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../resolvers/Money.ts';

describe('formatMoney', () => {
  it('formats minor units per currency, honouring zero-decimal currencies', () => {
    expect(formatMoney(1250, 'usd')).toBe('$12.50');
    expect(formatMoney(4200, 'eur')).toBe('€42.00');
    expect(formatMoney(500, 'jpy')).toBe('¥500');
    expect(formatMoney(-75, 'gbp')).toBe('-£0.75');
  });

  it('gives the same text for an amount it formatted before, past its memo bound too', () => {
    const fresh = (amount: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(amount / 100);
    for (let round = 0; round < 2; round++) for (let amount = 0; amount < 5_000; amount += 1) expect(formatMoney(amount, 'usd')).toBe(fresh(amount));
    expect(formatMoney(-0, 'usd')).toBe(fresh(-0));
    expect(formatMoney(0, 'usd')).toBe(fresh(0));
  });
});
