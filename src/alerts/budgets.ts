// AI budget alerts into the alert monitor. The budgets claim each level once per budget and day
// across replicas (src/ai/budgets/); the monitor keeps a condition firing until resolved, so the
// previous day's alert of the same budget is resolved first: the budget reset at midnight.
import type { BudgetAlert } from '../ai/budgets/types.ts';
import type { AlertMonitor } from './monitor.ts';

const amount = (a: BudgetAlert, n: number) => (a.unit === 'usd' ? `$${n.toFixed(4)}` : `${n} tokens`);

export function budgetAlerts(monitor: Pick<AlertMonitor, 'report' | 'resolve'>): (a: BudgetAlert) => void {
  return (a) => {
    const condition = a.level === 100 ? 'ai_budget_spent' : 'ai_budget';
    monitor.resolve(condition, a.budget, `AI budget ${a.budget} reset for ${a.day}`);
    const what = a.level === 100 ? 'is spent: calls that would pass it are refused (BUDGET_EXCEEDED)' : 'passed 80%';
    monitor.report(condition, a.budget, `AI budget ${a.budget} ${what}: ${amount(a, a.spent)} of ${amount(a, a.limit)} on ${a.day}, resets at ${a.resetAt}`);
  };
}
