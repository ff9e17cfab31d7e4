// Accepting a delivery: the connector verifies its signature on the raw bytes, then its events go
// into the inbox and their jobs into the queue in one transaction, and only then the 2xx. Nothing
// upstream is called here, so accepting never waits on a provider. A refusal stores nothing,
// but is audited and counted.
import type { Logger } from 'pino';
import type { Connectors } from '../connectors/index.ts';
import type { Db } from '../connectors/store/db.ts';
import { WebhookRefusal, type WebhookDelivery } from '../connectors/domain/events.ts';
import type { AuditSink } from '../plugins/audit/index.ts';
import type { EventMetrics } from './metrics.ts';
import { webhookRecord } from './record.ts';
import { ErrorCode } from '../errors/codes.ts';

export const WEBHOOK_QUEUE = 'webhooks';

export interface IntakeDeps {
  connectors: Connectors;
  enqueue(tx: Db, queue: string, data: unknown): Promise<string | null>;
  audit: AuditSink;
  metrics: EventMetrics;
  logger: Logger;
}

export interface IntakeAnswer {
  status: number;
  body: unknown;
}

const refusal = (status: number, code: string, message: string, reason: string): IntakeAnswer => ({
  status,
  body: { error: { code, message, reason } },
});

export async function acceptDelivery(deps: IntakeDeps, provider: string, delivery: WebhookDelivery): Promise<IntakeAnswer> {
  const started = performance.now();
  const target = deps.connectors.configured.find((c) => c.config.name === provider && c.module.webhooks);
  if (!target) {
    deps.metrics.refused.inc({ provider: 'unknown', reason: 'unknown_provider' });
    return refusal(404, ErrorCode.NOT_FOUND, `No webhook endpoint for ${provider}`, 'unknown_provider');
  }
  let events;
  try {
    events = await target.module.webhooks!.verify(delivery, target.config.settings);
  } catch (err) {
    if (!(err instanceof WebhookRefusal)) throw err;
    deps.metrics.refused.inc({ provider, reason: err.reason });
    deps.audit.write(
      webhookRecord(delivery.receivedAt, err.reason === 'malformed' ? 'invalid' : 'denied', {
        provider,
        eventId: null,
        type: null,
        status: 'refused',
        attempts: 0,
        reason: err.reason,
      }),
    );
    deps.logger.warn({ provider, reason: err.reason }, `webhook delivery refused: ${err.message}`);
    const code = err.reason === 'malformed' ? ErrorCode.BAD_REQUEST : ErrorCode.WEBHOOK_SIGNATURE_INVALID;
    return refusal(err.status, code, err.message, err.reason);
  }
  const { store } = deps.connectors;
  const inserted = await store.transaction(async (tx) => {
    const ids: (string | null)[] = [];
    for (const e of events) {
      const id = await store.webhooks.insert(tx, { provider, ...e });
      if (id) await deps.enqueue(tx, WEBHOOK_QUEUE, { id });
      ids.push(id);
    }
    return ids;
  });
  events.forEach((e, i) => deps.metrics.received.inc({ provider, type: deps.metrics.type(e.type), result: inserted[i] ? 'accepted' : 'duplicate' }));
  deps.metrics.accept.observe({ provider }, (performance.now() - started) / 1000);
  const accepted = inserted.filter(Boolean).length;
  return { status: 200, body: { received: events.length, accepted, duplicates: events.length - accepted } };
}
