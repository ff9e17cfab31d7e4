// What AI calls cost: USD per million input (prompt) and output (completion) tokens. The
// defaults are OpenAI's published standard-tier prices for its common models (2025); AI_PRICES
// overrides or extends them (JSON: {"model": {"input": 0.15, "output": 0.6}}). A model that is
// not in the table still counts its tokens, but its cost is unknown (null), never guessed.
export interface ModelPrice {
  /** USD per 1M prompt tokens. */
  input: number;
  /** USD per 1M completion tokens. */
  output: number;
}

export const DEFAULT_AI_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
};

// Providers answer with dated snapshots (gpt-4o-mini-2024-07-18): they cost what their family costs.
const SNAPSHOT = /-\d{4}-\d{2}-\d{2}$/;

export class PriceTable {
  private readonly prices: Map<string, ModelPrice>;

  constructor(overrides: Record<string, ModelPrice> = {}) {
    this.prices = new Map(Object.entries({ ...DEFAULT_AI_PRICES, ...overrides }));
  }

  price(model: string): ModelPrice | undefined {
    return this.prices.get(model) ?? this.prices.get(model.replace(SNAPSHOT, ''));
  }

  /** USD for one call, or null when the model has no price. */
  cost(model: string, promptTokens: number, completionTokens: number): number | null {
    const p = this.price(model);
    if (!p) return null;
    // Rounded to a millionth of a cent, so sums stay exact enough and records stay short.
    return Math.round(((promptTokens * p.input + completionTokens * p.output) / 1e6) * 1e8) / 1e8;
  }
}
