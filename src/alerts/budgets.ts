// AI budget alerts into the alert monitor. The budgets claim each level once per budget and day
// across replicas (src/ai/budgets/); the monitor keeps a condition firing until resolved, so the
// previous day's alert of the same budget is resolved first, and a quiet budget's alert is
// resolved when its day ends (the budget reset at midnight) by the replica that raised it.
import type { BudgetAlert } from '../ai/budgets/types.ts';
import type { AlertMonitor } from './monitor.ts';

const amount = (a: BudgetAlert, n: number) => (a.unit === 'usd' ? `$${n.toFixed(4)}` : `${n} tokens`);

export function budgetAlerts(monitor: Pick<AlertMonitor, 'report' | 'resolve'>, now: () => number = Date.now): (a: BudgetAlert) => void {
  const resets = new Map<string, NodeJS.Timeout>();
  return (a) => {
    const condition = a.level === 100 ? 'ai_budget_spent' : 'ai_budget';
    const reset = (day: string) => monitor.resolve(condition, a.budget, `AI budget ${a.budget} reset for ${day}`);
    reset(a.day);
    const what = a.level === 100 ? 'is spent: calls that would pass it are refused (BUDGET_EXCEEDED)' : 'passed 80%';
    monitor.report(condition, a.budget, `AI budget ${a.budget} ${what}: ${amount(a, a.spent)} of ${amount(a, a.limit)} on ${a.day}, resets at ${a.resetAt}`);
    const key = `${condition}:${a.budget}`;
    clearTimeout(resets.get(key));
    const timer = setTimeout(() => (resets.delete(key), reset(a.resetAt.slice(0, 10))), Math.max(0, Date.parse(a.resetAt) - now()));
    timer.unref();
    resets.set(key, timer);
  };
}
