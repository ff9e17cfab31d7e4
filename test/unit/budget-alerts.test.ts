// A budget's alert lasts its day: raised at 80% or when spent, resolved when the budget resets at
// the next UTC midnight even if no call comes to see it, and resolved first when the next day's
// alert of the same budget comes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { budgetAlerts } from '../../src/alerts/budgets.ts';

describe('budget alerts', () => {
  afterEach(() => void vi.useRealTimers());

  it('resolves a quiet budget at its reset time', () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T23:59:00Z') });
    const events: string[] = [];
    const monitor = {
      report: (condition: string, budget: string) => void events.push(`fire ${condition} ${budget}`),
      resolve: (condition: string, budget: string, message: string) => void events.push(`resolve ${condition} ${budget}: ${message}`),
    };
    const alert = budgetAlerts(monitor as never);
    alert({ budget: 'capability:chat', level: 100, unit: 'usd', limit: 1, spent: 1, day: '2026-12-01', resetAt: '2026-12-02T00:00:00.000Z' });
    expect(events).toEqual(['resolve ai_budget_spent capability:chat: AI budget capability:chat reset for 2026-12-01', 'fire ai_budget_spent capability:chat']);
    vi.advanceTimersByTime(59_000);
    expect(events).toHaveLength(2);
    vi.advanceTimersByTime(1_000);
    expect(events.at(-1)).toBe('resolve ai_budget_spent capability:chat: AI budget capability:chat reset for 2026-12-02');
  });
});
