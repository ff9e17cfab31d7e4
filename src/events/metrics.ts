// The events' metrics, on the server's own registry beside the others (GET /metrics).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LabelCap } from '../plugins/metrics/registry.ts';
import type { WebhookEventStore } from '../connectors/store/index.ts';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class EventMetrics {
  readonly received: Counter<'provider' | 'type' | 'result'>;
  readonly refused: Counter<'provider' | 'reason'>;
  readonly processed: Counter<'provider' | 'type' | 'outcome'>;
  readonly processing: Histogram<'provider'>;
  readonly changeToVisible: Histogram<'provider'>;
  readonly accept: Histogram<'provider'>;
  // Event types are the sender's words: capped like operation names.
  private readonly types = new LabelCap(100);

  constructor(registry: Registry, inbox: WebhookEventStore) {
    const registers = [registry];
    this.received = new Counter({
      name: 'switchyard_webhook_events_received_total',
      help: 'Verified webhook events by provider instance and type: result="accepted" (new) or "duplicate" (already in the inbox).',
      labelNames: ['provider', 'type', 'result'],
      registers,
    });
    this.refused = new Counter({
      name: 'switchyard_webhook_deliveries_refused_total',
      help: 'Webhook deliveries refused before anything was stored, by reason (signature, stale, malformed, not_configured, unknown_provider).',
      labelNames: ['provider', 'reason'],
      registers,
    });
    this.processed = new Counter({
      name: 'switchyard_webhook_events_processed_total',
      help: 'Webhook event processing attempts by outcome: processed, failed (to be retried), dead (out of retries).',
      labelNames: ['provider', 'type', 'outcome'],
      registers,
    });
    this.accept = new Histogram({
      name: 'switchyard_webhook_accept_duration_seconds',
      help: 'From a delivery arriving to its 2xx: verification, the inbox insert and the enqueue, in one transaction.',
      labelNames: ['provider'],
      buckets: SECONDS,
      registers,
    });
    this.processing = new Histogram({
      name: 'switchyard_webhook_processing_duration_seconds',
      help: 'One processing attempt of an event: re-reading the object upstream and applying it.',
      labelNames: ['provider'],
      buckets: SECONDS,
      registers,
    });
    this.changeToVisible = new Histogram({
      name: 'switchyard_webhook_change_to_visible_seconds',
      help: "From the change upstream (the event's own time) to its being applied, and so visible in the graph.",
      labelNames: ['provider'],
      buckets: SECONDS,
      registers,
    });
    new Gauge({
      name: 'switchyard_webhook_inbox_backlog',
      help: 'Inbox events not processed yet, by status (received, failed, dead).',
      labelNames: ['status'],
      registers,
      async collect() {
        const backlog = await inbox.backlog().catch(() => undefined);
        if (!backlog) return;
        for (const status of ['received', 'failed', 'dead'] as const) this.set({ status }, backlog[status]);
      },
    });
  }

  type(t: string): string {
    return this.types.label(t);
  }
}
