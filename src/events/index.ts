// Events in: verified webhooks into a durable inbox, processed by the job queue (DESIGN.md,
// "Events and workflows"). `createEvents` wires the queue, the routes and the replays; the
// connector modules bring the verifying and the re-reading (src/connectors/<name>/webhooks.ts).
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Connectors } from '../connectors/index.ts';
import type { WebhookFilter } from '../connectors/store/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { AuditSink } from '../plugins/audit/index.ts';
import type { AlertMonitor } from '../alerts/index.ts';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { WEBHOOK_QUEUE, acceptDelivery } from './intake.ts';
import { EventMetrics } from './metrics.ts';
import { registerWebhookRoutes } from './routes.ts';
import { processEvent, type WorkerDeps } from './worker.ts';

export { WEBHOOK_QUEUE } from './intake.ts';

export interface EventsOptions {
  connectors: Connectors;
  jobs: JobQueue;
  audit: AuditSink;
  alerts: AlertMonitor;
  registry: Registry;
  logger: Logger;
  publicUrl: string | undefined;
  bodyLimitBytes: number;
  retries: number;
  retryDelaySeconds: number;
  /** In the transaction that marks an event processed: the workflows it starts (src/workflows/triggers.ts). */
  onApplied?: WorkerDeps['onApplied'];
}

export interface Events {
  /** Puts events back to received and enqueues them again, in one transaction; how many. */
  replay(filter: WebhookFilter & { ids?: readonly string[] }): Promise<number>;
  metrics: EventMetrics;
}

/** Declares the `webhooks` queue on `jobs` (before it starts) and mounts POST /webhooks/* on `app`. */
export function createEvents(app: FastifyInstance, o: EventsOptions): Events {
  const { store } = o.connectors;
  const logger = o.logger.child({ component: 'events' });
  const metrics = new EventMetrics(o.registry, store.webhooks);
  o.jobs.define({
    name: WEBHOOK_QUEUE,
    schema: z.object({ id: z.string().min(1).max(100) }),
    concurrency: 4,
    retryLimit: o.retries,
    retryDelaySeconds: o.retryDelaySeconds,
    retryBackoff: true,
    retryDelayMaxSeconds: 60,
    // A job whose process died is taken up again after this; one attempt re-reads one object.
    expireInSeconds: 30,
    handler: (data, job) =>
      processEvent(
        {
          connectors: o.connectors,
          audit: o.audit,
          metrics,
          logger,
          retries: o.retries,
          ...(o.onApplied ? { onApplied: o.onApplied } : {}),
          onDead: (provider, event, error) =>
            o.alerts.report(
              'webhook_dead',
              provider,
              `webhook events from ${provider} are dead after ${o.retries + 1} attempts (first: ${event.type} ${event.eventId}: ${error.slice(0, 200)}); replay them once fixed`,
            ),
          onRecovered: (provider) => o.alerts.resolve('webhook_dead', provider, `webhook events from ${provider} are processed again`),
        },
        data.id,
        job,
      ),
  });
  registerWebhookRoutes(app, {
    publicUrl: o.publicUrl,
    bodyLimitBytes: o.bodyLimitBytes,
    accept: (provider, delivery) =>
      acceptDelivery({ connectors: o.connectors, enqueue: (tx, q, d) => o.jobs.enqueue(tx, q, d), audit: o.audit, metrics, logger }, provider, delivery),
  });
  return {
    metrics,
    replay: (filter) =>
      store.transaction(async (tx) => {
        const ids = await store.webhooks.reopen(tx, filter);
        for (const id of ids) await o.jobs.enqueue(tx, WEBHOOK_QUEUE, { id });
        return ids.length;
      }),
  };
}
