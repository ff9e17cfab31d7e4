// Options of the metrics plugin and its registry.
import type { GaugeConfiguration } from 'prom-client';
import type { Pipeline } from '../../pipeline/index.ts';

export interface MetricsOptions {
  pipeline: Pipeline;
  /** Connector names whose circuit state is reported. */
  connectors: readonly string[];
  /** Distinct operation_name label values kept before the rest report as "other" (default 200). */
  maxOperationNames: number;
  /** Distinct model label values kept (default 50). */
  maxModelNames: number;
  /** Depth of each background job queue. Unset: there is no queue, and no gauge claims one. */
  queueDepth?: () => Promise<Record<string, number>>;
  /** More gauges read at scrape time (the audit writer's backlog, for one). */
  gauges?: GaugeConfiguration<string>[];
}

export const METRICS_DEFAULTS = { maxOperationNames: 200, maxModelNames: 50 } as const;
