// Sends each alert through the notification connector, to every configured transport. Order,
// retries and backoff are the connector's (its queue and the pipeline); an alert that cannot be
// delivered costs a warning in the log, never a request's time.
import type { Logger } from 'pino';
import type { Notifier, NotifyMessage } from '../connectors/domain/notify.ts';
import type { Alert } from './monitor.ts';

// An outage or refused credentials need a person now; a drifted payload or a high error rate soon.
const SEVERITY: Record<Alert['condition'], NotifyMessage['severity']> = {
  circuit: 'critical',
  upstream_auth: 'critical',
  contract: 'warning',
  error_rate: 'warning',
  // An event that exhausted its retries waits for a person to replay it.
  webhook_dead: 'warning',
  // A customer (or another run's subject) is half-linked or waiting until a person looks.
  workflow_attention: 'warning',
  // Budget nearly spent: soon; spent: the capability's calls are being refused now.
  ai_budget: 'warning',
  ai_budget_spent: 'critical',
  // The systems disagree on something no repair settled: a person decides.
  reconciliation_drift: 'warning',
};

export function alertMessage(alert: Alert): NotifyMessage {
  return {
    event: `alert.${alert.state}`,
    title: `Switchyard ${alert.state === 'firing' ? 'alert' : 'resolved'}: ${alert.message}`,
    text: alert.message,
    data: { condition: alert.condition, connector: alert.connector, operation: alert.operation, state: alert.state, at: alert.at },
    severity: alert.state === 'firing' ? SEVERITY[alert.condition] : 'info',
    // The firing and the resolution of one condition share it, so a receiver can pair them.
    dedupeKey: `${alert.condition}:${alert.connector}:${alert.operation ?? ''}`,
  };
}

export class AlertNotifier {
  constructor(
    private readonly notifiers: readonly Notifier[],
    private readonly logger: Logger,
  ) {}

  send(alert: Alert): void {
    const message = alertMessage(alert);
    for (const n of this.notifiers) {
      n.notify(message).catch((err: unknown) => {
        const e = err as { kind?: string; message?: string };
        this.logger.warn(
          { notifier: n.name, kind: e.kind, err: e.message, condition: alert.condition, connector: alert.connector, state: alert.state },
          'alert delivery failed',
        );
      });
    }
  }

  /** Waits for deliveries in flight, at most timeoutMs. */
  async close(timeoutMs = 3_000): Promise<void> {
    await Promise.all(this.notifiers.map((n) => n.close(timeoutMs)));
  }
}
