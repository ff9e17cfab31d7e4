// Every Prometheus metric Switchyard exposes, on a Registry of its own (never prom-client's
// global one), so several servers in one process (tests, benchmarks) each count their own.
// Labels that a client could choose (operation and model names) are capped, so a caller
// inventing names cannot grow the series without bound.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallEvent, Pipeline } from '../../pipeline/index.ts';
import { BREAKER_STATES } from '../../pipeline/breaker.ts';
import type { MetricsOptions } from './options.ts';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Keeps at most `max` distinct values of a label; the rest report as "other". */
export class LabelCap {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number) {}
  label(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}

export class Metrics {
  readonly registry = new Registry();
  readonly operationNames: LabelCap;
  readonly modelNames: LabelCap;
  readonly operationDuration: Histogram<'operation_name' | 'operation_type' | 'outcome'>;
  readonly errors: Counter<'code'>;
  readonly rateLimited: Counter<'limit' | 'connector'>;
  readonly aiTokens: Counter<'provider' | 'model' | 'kind'>;
  readonly aiCost: Counter<'provider' | 'model' | 'priced'>;
  readonly aiCalls: Counter<'capability' | 'provider' | 'via'>;
  readonly alerts: Counter<'condition' | 'state'>;
  private readonly connectorDuration: Histogram<'connector' | 'operation'>;
  private readonly connectorCalls: Counter<'connector' | 'operation' | 'outcome'>;
  private readonly connectorAttempts: Counter<'connector' | 'operation'>;
  private readonly cache: Counter<'connector' | 'operation' | 'result'>;

  constructor(options: MetricsOptions) {
    const registers = [this.registry];
    this.operationNames = new LabelCap(options.maxOperationNames);
    this.modelNames = new LabelCap(options.maxModelNames);
    collectDefaultMetrics({ register: this.registry });
    this.operationDuration = new Histogram({
      name: 'switchyard_graphql_operation_duration_seconds',
      help: 'GraphQL operations by name, type and outcome (ok, partial, error, denied, invalid, limited), from request start to response.',
      labelNames: ['operation_name', 'operation_type', 'outcome'],
      buckets: SECONDS,
      registers,
    });
    this.errors = new Counter({
      name: 'switchyard_graphql_errors_total',
      help: 'Errors sent to clients, by extensions.code.',
      labelNames: ['code'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'switchyard_rate_limit_refusals_total',
      help: 'Refusals by a rate limit: limit="inbound" (an operation over its principal\'s allowance) or "outbound" (a connector call over the provider quota).',
      labelNames: ['limit', 'connector'],
      registers,
    });
    this.connectorDuration = new Histogram({
      name: 'switchyard_connector_call_duration_seconds',
      help: 'Connector calls through the pipeline (retries and waits included; cache hits excluded).',
      labelNames: ['connector', 'operation'],
      buckets: SECONDS,
      registers,
    });
    this.connectorCalls = new Counter({
      name: 'switchyard_connector_calls_total',
      help: 'Connector calls by outcome (ok or the upstream error kind).',
      labelNames: ['connector', 'operation', 'outcome'],
      registers,
    });
    this.connectorAttempts = new Counter({
      name: 'switchyard_connector_attempts_total',
      help: 'Upstream attempts made by connector calls (more than the calls when retried).',
      labelNames: ['connector', 'operation'],
      registers,
    });
    this.cache = new Counter({
      name: 'switchyard_cache_requests_total',
      help: 'Cacheable connector reads: hit (fresh), stale (expired entry served because the upstream failed), miss.',
      labelNames: ['connector', 'operation', 'result'],
      registers,
    });
    this.aiTokens = new Counter({
      name: 'switchyard_ai_tokens_total',
      help: 'AI tokens used, kind="prompt" or "completion", and of those "cached" (prompt) and "reasoning" (completion).',
      labelNames: ['provider', 'model', 'kind'],
      registers,
    });
    this.aiCost = new Counter({
      name: 'switchyard_ai_cost_usd_total',
      help: 'AI cost in USD from the price table; priced="false" marks models without a price (counted as 0).',
      labelNames: ['provider', 'model', 'priced'],
      registers,
    });
    this.aiCalls = new Counter({
      name: 'switchyard_ai_calls_total',
      help: 'AI calls by capability, answering provider and how they were answered (call, stream, cache).',
      labelNames: ['capability', 'provider', 'via'],
      registers,
    });
    this.alerts = new Counter({
      name: 'switchyard_alerts_total',
      help: 'Alerts raised, by condition and state (firing, resolved).',
      labelNames: ['condition', 'state'],
      registers,
    });
    const { pipeline, connectors } = options;
    new Gauge({
      name: 'switchyard_connector_circuit_state',
      help: 'Circuit breaker state per connector: 1 for the current state (closed, open, half_open), 0 for the others.',
      labelNames: ['connector', 'state'],
      registers,
      collect() {
        for (const c of connectors) {
          const now = pipeline.health(c as Parameters<Pipeline['health']>[0]).circuit;
          for (const s of new Set(Object.values(BREAKER_STATES))) this.set({ connector: c, state: s }, s === now ? 1 : 0);
        }
      },
    });
    if (options.queueDepth) {
      const depth = options.queueDepth;
      new Gauge({
        name: 'switchyard_job_queue_depth',
        help: 'Jobs waiting in each background queue.',
        labelNames: ['queue'],
        registers,
        async collect() {
          for (const [queue, n] of Object.entries(await depth())) this.set({ queue }, n);
        },
      });
    }
    for (const gauge of options.gauges ?? []) new Gauge({ ...gauge, registers });
  }

  /** One finished connector call (from pipeline.onEvent). */
  recordCall(e: CallEvent): void {
    const labels = { connector: e.connector, operation: e.operation };
    this.connectorCalls.inc({ ...labels, outcome: e.outcome });
    if (e.attempts) this.connectorAttempts.inc(labels, e.attempts);
    if (!e.cacheHit) this.connectorDuration.observe(labels, e.latencyMs / 1000);
    if (e.cacheable) this.cache.inc({ ...labels, result: e.cacheHit ? 'hit' : e.stale ? 'stale' : 'miss' });
    if (e.outcome === 'rate_limited') this.rateLimited.inc({ limit: 'outbound', connector: e.connector });
  }
}
