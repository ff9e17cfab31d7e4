// Delivers alerts to a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat and
// most chat tools accept `text`; Slack also renders `blocks`). Deliveries go out one at a time,
// in order (a "resolved" never overtakes its "firing"), each retried a few times with backoff;
// a webhook that stays down costs a warning in the log, never a request's time.
import type { Logger } from 'pino';
import type { Alert } from './monitor.ts';

export interface NotifierOptions {
  url: string;
  logger: Logger;
  timeoutMs?: number;
  attempts?: number;
  backoffMs?: number;
}

export function slackPayload(alert: Alert): { text: string; blocks: unknown[] } {
  const icon = alert.state === 'firing' ? ':rotating_light:' : ':white_check_mark:';
  const title = `${icon} Switchyard ${alert.state === 'firing' ? 'alert' : 'resolved'}: ${alert.message}`;
  const where = [`condition \`${alert.condition}\``, `connector \`${alert.connector}\``, ...(alert.operation ? [`operation \`${alert.operation}\``] : []), alert.at];
  return {
    text: title,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: title } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: where.join(' · ') }] },
    ],
  };
}

export class WebhookNotifier {
  private tail: Promise<void> = Promise.resolve();
  private readonly o: Required<NotifierOptions>;

  constructor(options: NotifierOptions) {
    this.o = { timeoutMs: 5_000, attempts: 3, backoffMs: 1_000, ...options };
  }

  send(alert: Alert): void {
    this.tail = this.tail.then(() => this.deliver(alert));
  }

  /** Waits for deliveries in flight, at most timeoutMs. */
  async close(timeoutMs = 3_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.tail, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  private async deliver(alert: Alert): Promise<void> {
    const body = JSON.stringify(slackPayload(alert));
    for (let attempt = 1; attempt <= this.o.attempts; attempt++) {
      try {
        const res = await fetch(this.o.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(this.o.timeoutMs) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        // A 4xx other than 429 is a wrong URL or payload: retrying cannot help.
        if (res.status < 500 && res.status !== 429) throw Object.assign(new Error(`webhook answered ${res.status}`), { final: true });
        throw new Error(`webhook answered ${res.status}`);
      } catch (err) {
        const final = (err as { final?: boolean }).final || attempt === this.o.attempts;
        if (final) {
          this.o.logger.warn({ err: (err as Error).message, condition: alert.condition, connector: alert.connector, state: alert.state }, 'alert webhook delivery failed');
          return;
        }
        await new Promise((r) => setTimeout(r, this.o.backoffMs * 2 ** (attempt - 1)));
      }
    }
  }
}
