// Wires what explains every operation: the audit trail (plugin, HTTP refusals, writer), the
// Prometheus metrics and GET /metrics, the five-minute connector stats, the alerts, and
// tracing when it is configured. createServer calls this once; close() runs when the server
// closes, after in-flight requests are done, so their records are flushed before the store goes.
import type { IncomingHttpHeaders } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Connectors } from '../connectors/index.ts';
import type { Context } from '../context.ts';
import { foldAudit } from './requestLog.ts';
import { AnchorWriter, AuditWriter, auditHttpRefusals, auditPlugin, chainSeal, createRedactor, type AuditSink } from '../plugins/audit/index.ts';
import { Metrics, METRICS_DEFAULTS, metricsPlugin } from '../plugins/metrics/index.ts';
import { AlertMonitor, AlertNotifier } from '../alerts/index.ts';
import { connectorStats } from './connectorStats.ts';
import { connectorSeries } from './connectorSeries.ts';
import { PriceTable } from './prices.ts';
import type { Tracing } from './tracing.ts';

export interface Observability {
  plugins: ApolloServerPlugin<Context>[];
  metrics: Metrics;
  writer: AuditWriter;
  alerts: AlertMonitor;
  /** What AI calls cost (providers' prices with AI_PRICES): the audit, the metrics and the AI budgets price with it. */
  prices: PriceTable;
  tracing: Tracing | undefined;
  /** Runs one /graphql request inside its operation's trace span (just runs it with tracing off). */
  aroundRequest<T>(headers: IncomingHttpHeaders, fn: () => T): T | Promise<Awaited<T>>;
  /** GET /metrics, the audit of requests refused before Apollo, and close() on server close. */
  register(app: FastifyInstance): void;
  close(): Promise<void>;
}

export interface ObservabilityExtras {
  /** Waiting jobs per queue (the job queue's depth()), for switchyard_job_queue_depth. */
  queueDepth?: () => Promise<Record<string, number>>;
  /** The job queue, not started yet: the server declares the webhooks queue on it and mounts /webhooks/*. */
  jobs?: import('../jobs/index.ts').JobQueue;
}

export async function createObservability(config: Config, connectors: Connectors, logger: Logger, extras: ObservabilityExtras = {}): Promise<Observability> {
  const prices = new PriceTable(Object.assign({}, ...connectors.aiProviders.map((p) => p.prices)), config.aiPrices);
  const stats = connectorStats(connectors.pipeline);
  // Subscribed now, so the hour's series (Query.connectors) counts from the server's first call.
  connectorSeries(connectors.pipeline);
  const { hmacKey, anchorFile, anchorIntervalMs } = config.audit;
  if (!hmacKey)
    logger.warn(
      'AUDIT_HMAC_KEY unset: audit rows carry no MAC, so anyone who can write to the database can rewrite the trail and recompute its hashes unnoticed (anchors still catch it up to the last one)',
    );
  const anchors = new AnchorWriter({ file: anchorFile, intervalMs: anchorIntervalMs, key: hmacKey, logger });
  const writer = new AuditWriter({
    store: connectors.store.audit,
    logger,
    spoolDir: config.audit.spoolDir,
    bufferMax: config.audit.bufferMax,
    ...(hmacKey ? { seal: chainSeal(hmacKey) } : {}),
    onHead: (head) => anchors.note(head),
  });
  const metrics = new Metrics({
    ...METRICS_DEFAULTS,
    pipeline: connectors.pipeline,
    connectors: connectors.instances.map((c) => c.name),
    ...(extras.queueDepth ? { queueDepth: extras.queueDepth } : {}),
    gauges: [
      {
        name: 'switchyard_audit_backlog_records',
        help: 'Audit records not yet in the database (spooled while it is down).',
        collect() {
          this.set(writer.backlog());
        },
      },
      {
        name: 'switchyard_audit_dropped_records',
        help: 'Audit records lost since start (database, spool and memory all failed); should stay 0.',
        collect() {
          this.set(writer.stats.dropped);
        },
      },
    ],
  });
  const unsubscribe = connectors.pipeline.onEvent((e) => metrics.recordCall(e));
  const notifier = new AlertNotifier(connectors.notifiers, logger);
  const alerts = new AlertMonitor({
    pipeline: connectors.pipeline,
    stats,
    audit: writer as AuditSink,
    logger,
    errorRateThreshold: config.alerts.errorRateThreshold,
    errorRateMinCalls: config.alerts.errorRateMinCalls,
    onAlert: (alert) => {
      metrics.alerts.inc({ condition: alert.condition, state: alert.state });
      notifier.send(alert);
    },
  });
  // The OpenTelemetry SDK and exporter (some 400 modules) load only when tracing is configured.
  const tracing = config.otel ? (await import('./tracing.ts')).startTracing(config.otel) : undefined;
  const tracer = tracing ? (await import('../plugins/tracing/index.ts')).tracingPlugin({ tracer: tracing.tracer, pipeline: connectors.pipeline }) : undefined;
  const redact = createRedactor(config.audit.redaction);
  const observability: Observability = {
    plugins: [auditPlugin({ sink: writer, redaction: config.audit.redaction }), metricsPlugin(metrics), ...(tracer ? [tracer] : [])],
    metrics,
    writer,
    alerts,
    prices,
    tracing,
    aroundRequest: tracer ? tracer.aroundRequest : (_headers, fn) => fn(),
    register(app) {
      app.get('/metrics', async (_request, reply) => reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()));
      auditHttpRefusals(app, { sink: writer, redact, fold: foldAudit, onRefusal: (r) => r.errors.forEach((e) => metrics.errors.inc({ code: e.code })) });
      app.addHook('onClose', () => observability.close());
    },
    async close() {
      alerts.close();
      unsubscribe();
      tracer?.close();
      await notifier.close();
      await writer.close();
      // After the last records are in: the final anchor covers them.
      anchors.close();
      await tracing?.shutdown().catch((err: unknown) => logger.warn({ err }, 'tracing shutdown failed'));
    },
  };
  return observability;
}
