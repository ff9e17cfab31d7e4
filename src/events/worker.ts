// Processing one inbox event (a job of the `webhooks` queue): at least once, applied exactly once.
// The connector re-reads the object it concerns, the change is applied as that state, and the row
// moves to processed in a guarded update, so a second run of the same job, or a duplicate
// delivery, changes nothing. A failure is retried with backoff; after the last attempt the event
// is dead (kept, replayable) and one alert fires per provider until a replay succeeds.
import type { Logger } from 'pino';
import type { Connectors } from '../connectors/index.ts';
import type { DomainChange, InboundEvent } from '../connectors/domain/events.ts';
import type { Db } from '../connectors/store/db.ts';
import type { WebhookEventRecord } from '../connectors/store/index.ts';
import type { AuditSink } from '../plugins/audit/index.ts';
import { newScope, runInScope } from '../pipeline/scope.ts';
import type { JobInfo } from '../jobs/index.ts';
import { applyChanges } from './apply.ts';
import type { EventMetrics } from './metrics.ts';
import { webhookRecord } from './record.ts';

export interface WorkerDeps {
  connectors: Connectors;
  audit: AuditSink;
  metrics: EventMetrics;
  logger: Logger;
  /** Retries after the first attempt; then the event is dead. */
  retries: number;
  /** An event ran out of retries / one of a provider's events was processed again. */
  onDead(provider: string, event: WebhookEventRecord, error: string): void;
  onRecovered(provider: string): void;
  /** Runs in the transaction that marks the event processed (the first time): the workflows it starts. */
  onApplied?: (tx: Db, event: { provider: string; eventId: string; type: string }, changes: readonly DomainChange[]) => Promise<void>;
}

const inbound = (e: WebhookEventRecord): InboundEvent => ({
  eventId: e.eventId,
  type: e.type,
  objectId: e.objectId,
  occurredAt: e.occurredAt,
  payload: e.payload,
});

export async function processEvent(deps: WorkerDeps, id: string, job: JobInfo): Promise<void> {
  const { store } = deps.connectors;
  const event = await store.webhooks.get(id);
  if (!event || event.status === 'processed') return;
  const target = deps.connectors.configured.find((c) => c.config.name === event.provider && c.module.webhooks);
  const type = deps.metrics.type(event.type);
  await store.webhooks.started(id);
  const scope = newScope(`webhook-${id}`, job.signal);
  const started = performance.now();
  try {
    if (!target) throw new Error(`No connector instance ${event.provider} is configured to process it`);
    const changes = await runInScope(scope, async () => {
      const changes = await target.module.webhooks!.interpret(inbound(event), target.built[0] as never);
      await applyChanges(deps.connectors, event.provider, changes, deps.logger);
      return changes;
    });
    // Processed, and the workflows it starts, in one commit: neither exists without the other.
    const first = await store.transaction(async (tx) => {
      const done = await store.webhooks.processed(id, tx);
      if (done) await deps.onApplied?.(tx, { provider: event.provider, eventId: event.eventId, type: event.type }, changes);
      return done;
    });
    const ms = performance.now() - started;
    deps.metrics.processing.observe({ provider: event.provider }, ms / 1000);
    if (!first) return;
    deps.metrics.processed.inc({ provider: event.provider, type, outcome: 'processed' });
    deps.metrics.changeToVisible.observe({ provider: event.provider }, Math.max(0, Date.now() - event.occurredAt.getTime()) / 1000);
    deps.audit.write(
      webhookRecord(
        new Date(),
        'ok',
        { provider: event.provider, eventId: event.eventId, type: event.type, status: 'processed', attempts: event.attempts + 1 },
        scope.calls,
        Math.round(ms),
      ),
    );
    if (event.status === 'dead' || event.attempts > 0) deps.onRecovered(event.provider);
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    const dead = job.retryCount >= deps.retries;
    await store.webhooks.failed(id, message, dead);
    deps.metrics.processed.inc({ provider: event.provider, type, outcome: dead ? 'dead' : 'failed' });
    deps.audit.write(
      webhookRecord(
        new Date(),
        'error',
        {
          provider: event.provider,
          eventId: event.eventId,
          type: event.type,
          status: dead ? 'dead' : 'failed',
          attempts: event.attempts + 1,
          reason: message.slice(0, 200),
        },
        scope.calls,
        Math.round(performance.now() - started),
      ),
    );
    deps.logger.warn(
      { eventId: event.eventId, provider: event.provider, type: event.type, retryCount: job.retryCount, dead, err },
      dead ? 'webhook event dead after its last attempt' : 'webhook event failed; it will be retried',
    );
    if (dead) deps.onDead(event.provider, event, message);
    throw err;
  }
}
