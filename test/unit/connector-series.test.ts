// The hour behind ConnectorStatus.series: 60 minute points, oldest first, the current minute
// last; cache hits left out, caller errors not counted as errors; a bucket reused when its minute
// comes round again holds only that minute's calls.
import { describe, expect, it } from 'vitest';
import { ConnectorSeries } from '../../src/ops/connectorSeries.ts';
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

const MINUTE = 60_000;

describe('connector series', () => {
  it('gives 60 points, oldest first, with calls, provider errors and quantiles per minute', () => {
    let now = 1_000 * MINUTE + 30_000;
    const series = new ConnectorSeries(() => now);
    expect(series.points('stripe')).toHaveLength(60);
    expect(series.points('stripe').every((p) => p.calls === 0 && p.p50Ms === null)).toBe(true);
    for (let i = 1; i <= 100; i++) series.record(call(i));
    series.record(call(1, 'ok', true));
    series.record(call(10, 'transient'));
    series.record(call(10, 'rejected'));
    now += MINUTE;
    series.record(call(5));
    const points = series.points('stripe');
    expect(points).toHaveLength(60);
    expect(points.at(-1)!.at.getTime()).toBe(1_001 * MINUTE);
    expect(points[0]!.at.getTime()).toBe((1_001 - 59) * MINUTE);
    expect(points.at(-2)).toMatchObject({ calls: 102, errors: 1 });
    expect(points.at(-2)!.p50Ms! / 50).toBeGreaterThan(0.95);
    expect(points.at(-2)!.p50Ms! / 50).toBeLessThan(1.06);
    expect(points.at(-1)).toMatchObject({ calls: 1, errors: 0 });
    expect(points.slice(0, -2).every((p) => p.calls === 0)).toBe(true);
  });

  it('forgets a minute once it is an hour old, and reuses its bucket for the new one', () => {
    let now = 2_000 * MINUTE;
    const series = new ConnectorSeries(() => now);
    for (let i = 0; i < 10; i++) series.record(call(100, 'timeout'));
    now += 59 * MINUTE;
    expect(series.points('stripe')[0]).toMatchObject({ calls: 10, errors: 10 });
    now += MINUTE;
    expect(series.points('stripe').reduce((n, p) => n + p.calls, 0)).toBe(0);
    // Same slot of the ring as the first minute: only the new minute's call is in it.
    series.record(call(1));
    expect(series.points('stripe').at(-1)).toMatchObject({ calls: 1, errors: 0 });
    expect(series.points('stripe').at(-1)!.p95Ms).toBeLessThan(2);
    expect(series.points('hubspot').every((p) => p.calls === 0)).toBe(true);
  });
});
