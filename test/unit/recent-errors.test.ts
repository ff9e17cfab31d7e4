// A connector's recent errors (ConnectorStatus.recentErrors): newest first, at most 20 however
// many fail, and the same errors lastError records (a success leaves them).
import { describe, expect, it } from 'vitest';
import { ConnectorRuntime, RECENT_ERRORS } from '../../src/pipeline/connector.ts';
import type { CallPolicy } from '../../src/pipeline/policies.ts';
import { UpstreamError } from '../../src/errors/upstream.ts';

const POLICY: CallPolicy = {
  timeoutMs: 1_000,
  maxAttempts: 1,
  backoffMs: 10,
  retryBudgetMs: 1_000,
  cacheTtlMs: 0,
  staleTtlMs: 0,
  cost: 1,
  quota: { points: 100, durationMs: 1_000 },
  quotaWaitMs: 0,
  bulkhead: { concurrency: 4, queue: 4 },
  breaker: { consecutiveFailures: 5, failureRatio: 0.5, windowMs: 10_000, minCalls: 10, halfOpenAfterMs: 1_000 },
};

const failure = (i: number) => new UpstreamError({ connector: 'stripe', operation: 'x', kind: i % 2 ? 'transient' : 'rejected', message: `failure ${i}` });

describe('recent errors', () => {
  it('keeps the last 20, newest first, and the policy it was made with', () => {
    const rt = new ConnectorRuntime('stripe', POLICY, undefined);
    expect(rt.recentErrors()).toEqual([]);
    for (let i = 1; i <= 30; i++) {
      const err = failure(i);
      rt.record(err.kind, err);
      rt.record('ok');
    }
    const recent = rt.recentErrors();
    expect(RECENT_ERRORS).toBe(20);
    expect(recent.map((e) => e.message)).toEqual(Array.from({ length: 20 }, (_, i) => `failure ${30 - i}`));
    expect(recent[0]).toMatchObject({ kind: 'rejected', message: 'failure 30' });
    expect(rt.health().lastError).toEqual(recent[0]);
    expect(rt.callPolicy).toBe(POLICY);
  });
});
