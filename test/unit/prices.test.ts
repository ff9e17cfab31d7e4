// What an AI call costs: prompt tokens at the input price, of them cache reads and cache writes
// at theirs, completion tokens at the output price, of them reasoning tokens at theirs.
import { describe, expect, it } from 'vitest';
import { PriceTable } from '../../src/ops/prices.ts';
import { ANTHROPIC_PRICES } from '../../src/connectors/anthropic/prices.ts';
import { OPENAI_PRICES } from '../../src/connectors/openai/prices.ts';

describe('PriceTable', () => {
  const table = new PriceTable({ ...OPENAI_PRICES, ...ANTHROPIC_PRICES }, { 'thinker-1': { input: 2, output: 8, reasoning: 6 } });

  it('prices prompt and completion tokens', () => {
    expect(table.cost('gpt-4o-mini', { promptTokens: 1_000_000, completionTokens: 1_000_000 })).toBe(0.75);
  });

  it('prices cached prompt tokens at the cached price, and a dated snapshot as its family', () => {
    // 600k fresh at 0.15, 400k cached at 0.075, 100k out at 0.6.
    expect(table.cost('gpt-4o-mini-2024-07-18', { promptTokens: 1_000_000, cachedTokens: 400_000, completionTokens: 100_000 })).toBeCloseTo(
      0.09 + 0.03 + 0.06,
      10,
    );
  });

  it('prices cache writes above input and cache reads below it (Anthropic)', () => {
    const u = { promptTokens: 1_000_000, cachedTokens: 500_000, cacheWriteTokens: 250_000, completionTokens: 0 };
    // 250k fresh at 3, 500k read at 0.3, 250k written at 3.75.
    expect(table.cost('claude-sonnet-4-5', u)).toBeCloseTo(0.75 + 0.15 + 0.9375, 10);
  });

  it('prices reasoning tokens at their own price, else as output', () => {
    expect(table.cost('thinker-1', { promptTokens: 0, completionTokens: 1_000_000, reasoningTokens: 500_000 })).toBeCloseTo(4 + 3, 10);
    expect(table.cost('o4-mini', { promptTokens: 0, completionTokens: 1_000_000, reasoningTokens: 500_000 })).toBeCloseTo(4.4, 10);
  });

  it('knows no cost for a model without a price, rather than guessing', () => {
    expect(table.cost('llama-3.1-8b-instruct', { promptTokens: 10, completionTokens: 10 })).toBeNull();
  });
});
