// The ledger the AI budgets are kept in, behind one small interface so Redis and Postgres serve
// the same router. Every operation is atomic in the shared store, never in this process's memory:
// replicas see one ledger. (rate-limiter-flexible does not fit: its points are whole numbers
// consumed per key, with no check-and-reserve over several keys at once and no settlement of a
// reservation by a different amount afterwards, which a money budget needs.)

export type BudgetUnit = 'usd' | 'tokens';

/** One budget as it applies to a call: its name (`capability:chat`, `principal:<id>:chat`) and limits. */
export interface BudgetLimit {
  name: string;
  dailyUsd?: number | undefined;
  dailyTokens?: number | undefined;
}

/** An amount charged to budgets; usd is 0 when the model has no price (its tokens still count). */
export interface Charge {
  tokens: number;
  usd: number;
}

/** A budget's total for the day after an operation. */
export interface Spent extends Charge {
  name: string;
}

export type ReserveResult = { ok: true; spent: Spent[] } | { ok: false; budget: string; unit: BudgetUnit; limit: number; spent: number };

export interface BudgetLedger {
  /** Adds charge to every budget for the day, or to none of them when one would go over its limit. */
  reserve(day: string, budgets: readonly BudgetLimit[], charge: Charge): Promise<ReserveResult>;
  /** Adds delta (negative to give back) to every named budget: a settlement or a release. */
  adjust(day: string, budgets: readonly string[], delta: Charge): Promise<Spent[]>;
  /** What each named budget has spent (and holds reserved) on the day; 0 for one not used yet. */
  read(day: string, budgets: readonly string[]): Promise<Spent[]>;
  /** Drops the days before `day`'s eve (Redis keys expire by themselves; the store's rows need this). */
  prune?(day: string): Promise<void>;
  /** True for the one caller, across replicas, that first claims this alert level for the budget's day. */
  claimAlert(day: string, budget: string, level: AlertLevel): Promise<boolean>;
}

export type AlertLevel = 80 | 100;

/** A budget crossed 80% of a limit, or reached it (spent it, or refused a call for it). */
export interface BudgetAlert {
  budget: string;
  level: AlertLevel;
  unit: BudgetUnit;
  limit: number;
  spent: number;
  day: string;
  resetAt: string;
}

// Keys and rows outlive their day by one more, so a call settled just after midnight still finds
// the reservation it made before, then they go.
export const KEEP_SECONDS = 2 * 86_400;
