// What the AI router throws when a call would take a budget past its daily limit (raised before
// any upstream call, so the refusal costs nothing), and when the ledger itself cannot be reached:
// budgets fail closed, since a call that cannot be counted could overspend.

const amount = (unit: 'usd' | 'tokens', n: number) => (unit === 'usd' ? `$${n.toFixed(6)}` : `${n} tokens`);

export class BudgetExceededError extends Error {
  override name = 'BudgetExceededError';

  constructor(
    /** `capability:<name>` or `principal:<id>:<capability>`. */
    readonly budget: string,
    readonly unit: 'usd' | 'tokens',
    readonly limit: number,
    /** Spent and reserved so far today, without this call. */
    readonly spent: number,
    /** The next UTC midnight, ISO 8601. */
    readonly resetAt: string,
  ) {
    super(`AI budget ${budget} cannot take this call: ${amount(unit, spent)} of ${amount(unit, limit)} spent today; it resets at ${resetAt}`);
  }
}

export class BudgetUnavailableError extends Error {
  override name = 'BudgetUnavailableError';

  constructor(
    /** Where the ledger lives: `redis` or `store`. */
    readonly backend: 'redis' | 'store',
    options?: { cause?: unknown },
  ) {
    super(`The AI budget ledger (${backend}) cannot be reached`, options);
  }
}
