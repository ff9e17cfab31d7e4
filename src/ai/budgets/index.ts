// Daily AI budgets (DESIGN.md "AI"): before a capability's chain runs, its estimate is reserved
// against every budget that applies (the capability's, and the asking principal's for it), all or
// none; after, the reservation is settled to the real usage, or released when no link answered.
// The ledger is shared (Redis, else the store), so the limits hold across replicas.
import type { Redis } from 'ioredis';
import type { Db } from '../../connectors/store/db.ts';
import { BudgetExceededError, BudgetUnavailableError } from '../../errors/budget.ts';
import type { DailyLimit } from '../config.ts';
import { period } from './estimate.ts';
import { postgresLedger } from './postgres.ts';
import { redisLedger } from './redis.ts';
import type { AlertLevel, BudgetAlert, BudgetLedger, BudgetLimit, BudgetUnit, Charge, Spent } from './types.ts';

export type { BudgetAlert, BudgetLedger, Charge } from './types.ts';
export { estimate, actual, DEFAULT_MAX_TOKENS } from './estimate.ts';

export interface AiBudgetsOptions {
  /** Redis when configured (the ledger then lives there), else the store's transactions. */
  redis?: Redis | undefined;
  store: { transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> };
  /** A capability budget reached 80% or 100% of a limit (once per budget, level and day across replicas). */
  onAlert?: ((alert: BudgetAlert) => void) | undefined;
  /** A settlement, release or alert claim that failed: the call already ran, so it is reported, not thrown. */
  onError?: ((err: unknown, during: 'settle' | 'release' | 'alert' | 'prune') => void) | undefined;
  now?: () => Date;
}

export interface BudgetScope {
  capability: string;
  budget?: DailyLimit | undefined;
  perPrincipal?: DailyLimit | undefined;
  principalId: string | null;
}

/** A reservation held for one call, to settle or release. */
export interface Reservation {
  day: string;
  resetAt: string;
  limits: BudgetLimit[];
  charge: Charge;
}

const UNITS: [BudgetUnit, keyof DailyLimit, keyof Charge][] = [
  ['usd', 'dailyUsd', 'usd'],
  ['tokens', 'dailyTokens', 'tokens'],
];

export class AiBudgets {
  private readonly ledger: BudgetLedger;
  private readonly backend: 'redis' | 'store';
  private readonly now: () => Date;
  // Only spares a round trip for a level this process already saw claimed; the ledger decides.
  private readonly claimed = new Set<string>();
  private claimedDay = '';
  private prunedDay = '';

  constructor(private readonly o: AiBudgetsOptions) {
    this.backend = o.redis ? 'redis' : 'store';
    this.ledger = o.redis ? redisLedger(o.redis) : postgresLedger(o.store);
    this.now = o.now ?? (() => new Date());
  }

  /** The budgets a call of this capability by this principal is charged to. */
  applicable(s: BudgetScope): BudgetLimit[] {
    const out: BudgetLimit[] = [];
    if (s.budget) out.push({ name: `capability:${s.capability}`, ...s.budget });
    if (s.perPrincipal && s.principalId !== null) out.push({ name: `principal:${s.principalId}:${s.capability}`, ...s.perPrincipal });
    return out;
  }

  /** Reserves charge on every applicable budget, or throws BudgetExceededError having reserved nothing; null when none applies. */
  async reserve(s: BudgetScope, charge: Charge): Promise<Reservation | null> {
    const limits = this.applicable(s);
    if (!limits.length) return null;
    const { day, resetAt } = period(this.now());
    this.pruneOnce(day);
    const result = await this.ledger.reserve(day, limits, charge).catch((err: unknown) => {
      throw new BudgetUnavailableError(this.backend, { cause: err });
    });
    if (!result.ok) {
      const limit = limits.find((l) => l.name === result.budget)!;
      const spent: Spent = { name: limit.name, usd: result.unit === 'usd' ? result.spent : 0, tokens: result.unit === 'tokens' ? result.spent : 0 };
      await this.alerts(day, resetAt, [limit], [spent], result.unit);
      throw new BudgetExceededError(result.budget, result.unit, result.limit, result.spent, resetAt);
    }
    return { day, resetAt, limits, charge };
  }

  // Once a day per process, the ledger's past days go (any replica may; deleting twice is harmless).
  private pruneOnce(day: string): void {
    if (this.prunedDay === day || !this.ledger.prune) return;
    this.prunedDay = day;
    this.ledger.prune(day).catch((err: unknown) => this.o.onError?.(err, 'prune'));
  }

  /** Today's spending of each budget named, with the day's reset time. */
  async status(budgets: readonly BudgetLimit[]): Promise<{ resetAt: string; spent: Spent[] }> {
    const { day, resetAt } = period(this.now());
    const spent = await this.ledger
      .read(
        day,
        budgets.map((b) => b.name),
      )
      .catch((err: unknown) => {
        throw new BudgetUnavailableError(this.backend, { cause: err });
      });
    return { resetAt, spent };
  }

  /** Today's UTC day (YYYY-MM-DD). */
  today(): string {
    return period(this.now()).day;
  }

  /** Replaces the reservation by what the call really used. */
  async settle(r: Reservation, used: Charge): Promise<void> {
    try {
      const spent = await this.ledger.adjust(
        r.day,
        r.limits.map((l) => l.name),
        { tokens: used.tokens - r.charge.tokens, usd: used.usd - r.charge.usd },
      );
      await this.alerts(r.day, r.resetAt, r.limits, spent);
    } catch (err) {
      // The estimate stays charged: the ledger over-counts this call, never under.
      this.o.onError?.(err, 'settle');
    }
  }

  /** Gives the reservation back: no link answered, so nothing was used. */
  async release(r: Reservation): Promise<void> {
    await this.ledger
      .adjust(
        r.day,
        r.limits.map((l) => l.name),
        { tokens: -r.charge.tokens, usd: -r.charge.usd },
      )
      .catch((err: unknown) => this.o.onError?.(err, 'release'));
  }

  // Capability budgets only: a principal reaching its own limit is that caller's business, and
  // alerting on each would page an operator once per busy user per day.
  private async alerts(day: string, resetAt: string, limits: readonly BudgetLimit[], spent: readonly Spent[], refused?: BudgetUnit): Promise<void> {
    for (const l of limits) {
      if (!l.name.startsWith('capability:')) continue;
      const s = spent.find((x) => x.name === l.name)!;
      for (const [unit, limitKey, chargeKey] of UNITS) {
        const limit = l[limitKey];
        if (limit === undefined) continue;
        // 100% is also a refusal past 80%: reservations stop short of the limit, so spent rarely
        // meets it exactly, yet the budget is then as good as spent. A refusal below 80% is one
        // call too large for what is left, not a spent budget.
        const nearly = s[chargeKey] >= 0.8 * limit;
        const levels: AlertLevel[] = [];
        if (nearly) levels.push(80);
        if (s[chargeKey] >= limit || (refused === unit && nearly)) levels.push(100);
        for (const level of levels) await this.alert({ budget: l.name, level, unit, limit, spent: s[chargeKey], day, resetAt });
      }
    }
  }

  private async alert(a: BudgetAlert): Promise<void> {
    // One claim per budget, level and day, whatever the unit: one "80%" and one "100%" a day.
    if (a.day !== this.claimedDay) {
      this.claimed.clear();
      this.claimedDay = a.day;
    }
    const key = `${a.budget}:${a.level}`;
    if (this.claimed.has(key)) return;
    try {
      if (!(await this.ledger.claimAlert(a.day, a.budget, a.level))) return void this.claimed.add(key);
      this.claimed.add(key);
      this.o.onAlert?.(a);
    } catch (err) {
      this.o.onError?.(err, 'alert');
    }
  }
}
