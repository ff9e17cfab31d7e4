// Each connector's calls minute by minute over the last hour (ConnectorStatus.series), fed by
// pipeline.onEvent like the five-minute stats (connectorStats.ts). Memory is bounded: per
// connector, a ring of 60 one-minute buckets, a bucket reused (and reset) when its minute comes
// round again, so an idle hour costs nothing more and a busy one no more than 60 buckets. Each
// bucket's latencies are an HDR histogram (hdr-histogram-js, packed, two significant digits, as
// in connectorStats.ts): a quantile within 1% of the exact value. The ring itself is hand-written:
// it is a fixed array indexed by minute, which no library makes simpler (prom-client's
// histograms keep no per-minute history, and a time-series store would be a server of its own).
// Cache hits are left out: they say nothing about the upstream.
import { build, type Histogram } from 'hdr-histogram-js';
import { hasTrait } from '../errors/kinds.ts';
import type { CallEvent, Pipeline } from '../pipeline/index.ts';

export const SERIES_MINUTES = 60;
const MINUTE_MS = 60_000;
const histogram = () => build({ bitBucketSize: 'packed', numberOfSignificantValueDigits: 2 });

export interface SeriesPoint {
  /** The minute's start. */
  at: Date;
  calls: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

interface Bucket {
  /** Minutes since the epoch this bucket holds; another minute's bucket is stale. */
  minute: number;
  /** Its totalCount is the minute's number of calls. */
  latencyUs: Histogram;
  errors: number;
}

export class ConnectorSeries {
  private readonly rings = new Map<string, (Bucket | undefined)[]>();

  constructor(private readonly now: () => number = Date.now) {}

  record(event: CallEvent): void {
    if (event.cacheHit) return;
    const minute = Math.floor(this.now() / MINUTE_MS);
    let ring = this.rings.get(event.connector);
    if (!ring) this.rings.set(event.connector, (ring = new Array<Bucket | undefined>(SERIES_MINUTES)));
    const slot = minute % SERIES_MINUTES;
    let bucket = ring[slot];
    if (!bucket || bucket.minute !== minute) {
      if (bucket) bucket.latencyUs.reset();
      bucket = { minute, latencyUs: bucket?.latencyUs ?? histogram(), errors: 0 };
      ring[slot] = bucket;
    }
    bucket.latencyUs.recordValue(Math.max(1, Math.round(event.latencyMs * 1000)));
    // The provider's own failures, as its health counts them: a rejected input is the caller's doing.
    if (hasTrait(event.outcome, 'providerFailure')) bucket.errors++;
  }

  /** SERIES_MINUTES points, oldest first, the last one the current minute. */
  points(connector: string): SeriesPoint[] {
    const ring = this.rings.get(connector);
    const current = Math.floor(this.now() / MINUTE_MS);
    const out: SeriesPoint[] = [];
    for (let minute = current - SERIES_MINUTES + 1; minute <= current; minute++) {
      const b = ring?.[minute % SERIES_MINUTES];
      const live = b && b.minute === minute ? b : undefined;
      const calls = live?.latencyUs.totalCount ?? 0;
      const quantile = (q: number) => (live && calls ? Math.round(live.latencyUs.getValueAtPercentile(q * 100) / 10) / 100 : null);
      out.push({ at: new Date(minute * MINUTE_MS), calls, errors: live?.errors ?? 0, p50Ms: quantile(0.5), p95Ms: quantile(0.95) });
    }
    return out;
  }
}

const byPipeline = new WeakMap<Pipeline, ConnectorSeries>();

/** The one ConnectorSeries of a pipeline, subscribed to its events on first use. */
export function connectorSeries(pipeline: Pipeline): ConnectorSeries {
  let series = byPipeline.get(pipeline);
  if (!series) {
    const created = new ConnectorSeries();
    pipeline.onEvent((e) => created.record(e));
    byPipeline.set(pipeline, created);
    series = created;
  }
  return series;
}
