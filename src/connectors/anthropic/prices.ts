// Anthropic's published prices (USD per 1M tokens) for its current models: base input, cache
// reads (0.1x input), 5-minute cache writes (1.25x input), output.
import type { ModelPrice } from '../domain/ai.ts';

const price = (input: number, output: number): ModelPrice => ({ input, cachedInput: input / 10, cacheWrite: input * 1.25, output });

export const ANTHROPIC_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-haiku-4-5': price(1, 5),
  'claude-sonnet-4-5': price(3, 15),
  'claude-sonnet-4-6': price(3, 15),
  'claude-opus-4-5': price(5, 25),
  'claude-opus-4-6': price(5, 25),
};
