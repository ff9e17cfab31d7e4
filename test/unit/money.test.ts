import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../resolvers/Money.ts';

describe('formatMoney', () => {
  it('formats minor units per currency, honouring zero-decimal currencies', () => {
    expect(formatMoney(1250, 'usd')).toBe('$12.50');
    expect(formatMoney(4200, 'eur')).toBe('€42.00');
    expect(formatMoney(500, 'jpy')).toBe('¥500');
    expect(formatMoney(-75, 'gbp')).toBe('-£0.75');
  });
});
