// Each connector's calls over the last five minutes: how many, how many failed, and latency
// quantiles. Fed by pipeline.onEvent; kept in 30 slots of 10 s, each with a log-scale latency
// histogram (buckets 10% apart), so memory is fixed whatever the traffic and a quantile is
// within about 5% of the exact value. Cache hits are left out: they say nothing about the
// upstream.
import { hasTrait } from '../errors/kinds.ts';
import type { CallEvent, Pipeline } from '../pipeline/index.ts';

export const WINDOW_MS = 300_000;
const SLOT_MS = 10_000;
const RATIO = Math.log(1.1);

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
  calls: number;
  errors: number;
  latency: Map<number, number>;
}

const bucketOf = (ms: number) => Math.ceil(Math.log(Math.max(ms, 0.01)) / RATIO);
const valueOf = (bucket: number) => Math.exp((bucket - 0.5) * RATIO);

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
      slot = { start, calls: 0, errors: 0, latency: new Map() };
      slots.push(slot);
      while (slots.length && slots[0]!.start <= start - WINDOW_MS) slots.shift();
    }
    slot.calls++;
    // The provider's own failures, as its health counts them: a rejected input is the caller's doing.
    if (hasTrait(event.outcome, 'providerFailure')) slot.errors++;
    const b = bucketOf(event.latencyMs);
    slot.latency.set(b, (slot.latency.get(b) ?? 0) + 1);
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
      calls += s.calls;
      errors += s.errors;
    }
    return { calls, errors, errorRate: calls ? errors / calls : 0 };
  }

  snapshot(connector: string): WindowStats {
    const slots = this.live(connector);
    const merged = new Map<number, number>();
    for (const s of slots) for (const [b, n] of s.latency) merged.set(b, (merged.get(b) ?? 0) + n);
    const buckets = [...merged.entries()].sort((a, b) => a[0] - b[0]);
    const { calls, errors, errorRate } = this.rate(connector);
    const quantile = (q: number): number | null => {
      if (!calls) return null;
      let seen = 0;
      for (const [b, n] of buckets) {
        seen += n;
        if (seen >= q * calls) return Math.round(valueOf(b) * 100) / 100;
      }
      return null;
    };
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
