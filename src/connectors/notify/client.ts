// The two transports, each a Notifier of its own (own breaker, quota and bulkhead in the
// pipeline, keyed by instance name): Slack incoming webhooks, and a generic JSON webhook signed
// the Standard Webhooks way. Both POST with fetch through `pipeline.for(...)`, which owns the
// retries (5xx, 408, 429 honouring Retry-After, network failures; never another 4xx).
import { createHash, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Pipeline } from '../../pipeline/index.ts';
import { NotifyHttpError, notifyErrorClassifier } from './errors.ts';
import { DeliveredSchema, slackPayload, webhookBody } from './mapping.ts';
import type { Notifier, NotifyMessage } from '../domain/notify.ts';
import { DeliveryQueue } from './queue.ts';

export interface TransportOptions {
  name: string;
  mode: 'demo' | 'live';
  url: string;
  pipeline: Pipeline;
}

const MAX_ANSWER_BYTES = 4_096;

/** Reads at most a few KB of the receiver's answer: enough for an error code, never a flood. */
async function answer(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_ANSWER_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).toString('utf8', 0, Math.min(size, MAX_ANSWER_BYTES));
}

async function post(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<{ status: number }> {
  // A redirect is not followed: the signed body and its headers go only where they were configured to.
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Switchyard', ...headers },
    body,
    signal,
    redirect: 'manual',
  });
  const text = await answer(res);
  if (res.status >= 200 && res.status < 300) return { status: res.status };
  throw new NotifyHttpError(res.status, text, res.headers);
}

abstract class HttpNotifier implements Notifier {
  readonly name: string;
  readonly mode: 'demo' | 'live';
  readonly baseUrl: string;
  protected readonly url: string;
  private readonly queue: DeliveryQueue;
  private readonly call: ReturnType<Pipeline['for']>;

  constructor(o: TransportOptions) {
    this.name = o.name;
    this.mode = o.mode;
    this.url = o.url;
    this.baseUrl = new URL(o.url).origin;
    this.queue = new DeliveryQueue(o.name);
    this.call = o.pipeline.for(o.name, notifyErrorClassifier(o.name), 'notify');
  }

  notify(message: NotifyMessage): Promise<void> {
    const send = this.prepare(message, new Date().toISOString());
    return this.queue.push(async () => {
      // Retried as a whole: a duplicate chat line is a smaller harm than a lost alert, and a
      // signed webhook carries one webhook-id across attempts, so its receiver keeps one copy.
      await this.call('deliver', { idempotent: true, schema: DeliveredSchema }, send);
    });
  }

  close(timeoutMs = 3_000): Promise<void> {
    return this.queue.drain(timeoutMs);
  }

  /** The attempt function of one message: called once per attempt. */
  protected abstract prepare(message: NotifyMessage, at: string): (signal: AbortSignal) => Promise<{ status: number }>;
}

export class SlackNotifier extends HttpNotifier {
  protected prepare(message: NotifyMessage, at: string) {
    const body = JSON.stringify(slackPayload(message, at));
    return (signal: AbortSignal) => post(this.url, body, {}, signal);
  }
}

export class SignedWebhookNotifier extends HttpNotifier {
  private readonly signer: Webhook;

  constructor(o: TransportOptions & { secret: string }) {
    super(o);
    this.signer = new Webhook(o.secret);
  }

  protected prepare(message: NotifyMessage, at: string) {
    const body = JSON.stringify(webhookBody(message, at));
    const id = message.idempotencyKey
      ? `msg_${createHash('sha256').update(message.idempotencyKey).digest('hex').slice(0, 24)}`
      : `msg_${randomBytes(12).toString('hex')}`;
    return (signal: AbortSignal) => {
      // Signed at each attempt: receivers refuse a timestamp more than 5 minutes off.
      const now = new Date();
      const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': this.signer.sign(id, now, body) };
      return post(this.url, body, headers, signal);
    };
  }
}
