// The five-minute window behind `connectors` and /health/ready: counts, the error rate of the
// provider's own failures, latency quantiles within a few percent, and sliding.
import { describe, expect, it } from 'vitest';
import { ConnectorStats } from '../../src/ops/connectorStats.ts';
import type { CallEvent } from '../../src/pipeline/index.ts';

const call = (latencyMs: number, outcome: CallEvent['outcome'] = 'ok', cacheHit = false): CallEvent => ({
  connector: 'stripe',
  operation: 'x',
  attempts: cacheHit ? 0 : 1,
  outcome,
  latencyMs,
  cacheHit,
  cacheable: true,
  stale: false,
});

describe('connector stats', () => {
  it('counts calls and upstream failures, leaving cache hits and caller errors out', () => {
    let now = 1_000_000;
    const stats = new ConnectorStats(() => now);
    for (let i = 1; i <= 100; i++) stats.record(call(i));
    stats.record(call(1, 'ok', true));
    for (let i = 0; i < 20; i++) stats.record(call(50, 'transient'));
    for (let i = 0; i < 5; i++) stats.record(call(50, 'rejected'));
    const s = stats.snapshot('stripe');
    expect(s).toMatchObject({ windowSeconds: 300, calls: 125, errors: 20, errorRate: 0.16 });
    expect(s.p50Ms! / 50).toBeGreaterThan(0.95);
    expect(s.p50Ms! / 50).toBeLessThan(1.06);
    expect(s.p95Ms! / 94).toBeGreaterThan(0.95);
    expect(s.p95Ms! / 94).toBeLessThan(1.06);
    expect(stats.snapshot('hubspot')).toMatchObject({ calls: 0, errorRate: 0, p50Ms: null, p95Ms: null });
    now += 150_000;
    stats.record(call(10, 'timeout'));
    expect(stats.rate('stripe')).toEqual({ calls: 126, errors: 21, errorRate: 21 / 126 });
    now += 160_000; // the first calls are older than five minutes now
    expect(stats.rate('stripe')).toEqual({ calls: 1, errors: 1, errorRate: 1 });
  });
});
