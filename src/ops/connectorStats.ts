// Each connector's calls over the last five minutes: how many, how many failed, and latency
// quantiles. Fed by pipeline.onEvent; kept in 30 slots of 10 s, so the window slides in 10 s
// steps. Each slot is an HDR histogram (hdr-histogram-js, packed, so a quiet slot costs a few
// hundred bytes) of latencies in microseconds to two significant digits: a quantile is within
// 1% of the exact value. Cache hits are left out: they say nothing about the upstream.
import { build, type Histogram } from 'hdr-histogram-js';
import { hasTrait } from '../errors/kinds.ts';
import type { CallEvent, Pipeline } from '../pipeline/index.ts';

export const WINDOW_MS = 300_000;
const SLOT_MS = 10_000;
const histogram = () => build({ bitBucketSize: 'packed', numberOfSignificantValueDigits: 2 });

export interface WindowStats {
  windowSeconds: number;
  calls: number;
  errors: number;
  /** errors / calls, 0 without calls. */
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

interface Slot {
  start: number;
  /** Its totalCount is the slot's number of calls. */
  latencyUs: Histogram;
  errors: number;
}

export class ConnectorStats {
  private readonly slots = new Map<string, Slot[]>();

  constructor(private readonly now: () => number = Date.now) {}

  record(event: CallEvent): void {
    if (event.cacheHit) return;
    const start = Math.floor(this.now() / SLOT_MS) * SLOT_MS;
    const slots = this.slots.get(event.connector) ?? [];
    this.slots.set(event.connector, slots);
    let slot = slots.at(-1);
    if (!slot || slot.start !== start) {
      slot = { start, latencyUs: histogram(), errors: 0 };
      slots.push(slot);
      while (slots.length && slots[0]!.start <= start - WINDOW_MS) slots.shift();
    }
    slot.latencyUs.recordValue(Math.max(1, Math.round(event.latencyMs * 1000)));
    // The provider's own failures, as its health counts them: a rejected input is the caller's doing.
    if (hasTrait(event.outcome, 'providerFailure')) slot.errors++;
  }

  private live(connector: string): Slot[] {
    const from = this.now() - WINDOW_MS;
    return (this.slots.get(connector) ?? []).filter((s) => s.start + SLOT_MS > from);
  }

  /** Calls and errors only: cheap enough to ask on every call (the error-rate alert does). */
  rate(connector: string): { calls: number; errors: number; errorRate: number } {
    let calls = 0;
    let errors = 0;
    for (const s of this.live(connector)) {
      calls += s.latencyUs.totalCount;
      errors += s.errors;
    }
    return { calls, errors, errorRate: calls ? errors / calls : 0 };
  }

  snapshot(connector: string): WindowStats {
    const merged = histogram();
    for (const s of this.live(connector)) merged.add(s.latencyUs);
    const { calls, errors, errorRate } = this.rate(connector);
    const quantile = (q: number) => (calls ? Math.round(merged.getValueAtPercentile(q * 100) / 10) / 100 : null);
    return { windowSeconds: WINDOW_MS / 1000, calls, errors, errorRate: Math.round(errorRate * 10_000) / 10_000, p50Ms: quantile(0.5), p95Ms: quantile(0.95) };
  }
}

const byPipeline = new WeakMap<Pipeline, ConnectorStats>();

/** The one ConnectorStats of a pipeline, subscribed to its events on first use. */
export function connectorStats(pipeline: Pipeline): ConnectorStats {
  let stats = byPipeline.get(pipeline);
  if (!stats) {
    const created = new ConnectorStats();
    pipeline.onEvent((e) => created.record(e));
    byPipeline.set(pipeline, created);
    stats = created;
  }
  return stats;
}
