// A local notification receiver on the shared emulator framework: Slack incoming webhooks at
// /services/T…/B…/token and Standard Webhooks endpoints at /webhooks/:endpoint. Like a real
// receiver it verifies each signature (standardwebhooks, 5-minute tolerance), keeps one copy per
// webhook-id however often a delivery is retried, and refuses what Slack would refuse. It takes
// the framework's injected faults; GET /__control/deliveries shows what it received.
import { randomBytes } from 'node:crypto';
import { Emulator, type EmuRequest, type EmuResponse } from '../../../emulators/http.ts';
import { verifySigned } from './verify.ts';

/** The secret the emulator verifies with, and demo mode signs with. */
export const DEMO_WEBHOOK_SECRET = `whsec_${Buffer.from('switchyard-demo-notify-secret-32b').toString('base64')}`;
/** Paths demo mode delivers to. */
export const DEMO_PATHS = { slack: '/services/TDEMO0000/BDEMO0000/demo-token', webhook: '/webhooks/switchyard' } as const;

export interface Delivery {
  seq: number;
  kind: 'slack' | 'webhook';
  path: string;
  receivedAt: string;
  /** webhook-id of a signed delivery; null for Slack. */
  id: string | null;
  /** Times it arrived: a retried webhook-id is kept once, its attempts counted. */
  attempts: number;
  headers: Record<string, string>;
  rawBody: string;
  body: unknown;
}

export interface Refusal {
  kind: 'slack' | 'webhook';
  path: string;
  receivedAt: string;
  status: number;
  reason: string;
}

export interface NotifyEmulatorOptions {
  /** Secret of the Standard Webhooks endpoints (default DEMO_WEBHOOK_SECRET). */
  webhookSecret?: string;
  /** Deliveries kept (oldest dropped first), default 1000. */
  keep?: number;
}

const plain = (status: number, text: string): EmuResponse => ({ status, body: text, headers: { 'content-type': 'text/plain; charset=utf-8' } });
const KEPT_HEADERS = /^(content-type|user-agent|webhook-id|webhook-timestamp|webhook-signature)$/;

export function createNotifyEmulator(options: NotifyEmulatorOptions = {}): Emulator {
  const secret = options.webhookSecret ?? DEMO_WEBHOOK_SECRET;
  const keep = options.keep ?? 1_000;
  let deliveries: Delivery[] = [];
  let refusals: Refusal[] = [];
  let seq = 0;
  const byId = new Map<string, Delivery>();

  const refuse = (kind: Refusal['kind'], req: EmuRequest, res: EmuResponse, reason: string): EmuResponse => {
    refusals.push({ kind, path: req.path, receivedAt: new Date().toISOString(), status: res.status, reason });
    if (refusals.length > keep) refusals.shift();
    return res;
  };
  const record = (kind: Delivery['kind'], req: EmuRequest, id: string | null, body: unknown): void => {
    const headers = Object.fromEntries(
      Object.entries(req.headers)
        .filter(([k]) => KEPT_HEADERS.test(k))
        .map(([k, v]) => [k, String(v)]),
    );
    const d: Delivery = { seq: ++seq, kind, path: req.path, receivedAt: new Date().toISOString(), id, attempts: 1, headers, rawBody: req.rawBody, body };
    deliveries.push(d);
    if (id) byId.set(id, d);
    if (deliveries.length > keep) {
      const old = deliveries.shift()!;
      if (old.id) byId.delete(old.id);
    }
  };

  const slack = (req: EmuRequest): EmuResponse => {
    // Slack's own answers for a revoked hook and an archived channel.
    if (req.params.token === 'revoked') return refuse('slack', req, plain(403, 'invalid_token'), 'invalid_token');
    if (req.params.channel === 'archived') return refuse('slack', req, plain(410, 'channel_is_archived'), 'channel_is_archived');
    let body: { text?: unknown; blocks?: unknown };
    try {
      if (!/^application\/json/.test(req.headers['content-type'] ?? '')) throw new Error('not JSON');
      body = JSON.parse(req.rawBody) as typeof body;
      if (typeof body !== 'object' || body === null) throw new Error('not an object');
    } catch {
      return refuse('slack', req, plain(400, 'invalid_payload'), 'invalid_payload');
    }
    if ((typeof body.text !== 'string' || !body.text) && !Array.isArray(body.blocks)) return refuse('slack', req, plain(400, 'no_text'), 'no_text');
    record('slack', req, null, body);
    return plain(200, 'ok');
  };

  const webhook = (req: EmuRequest): EmuResponse => {
    const checked = verifySigned(secret, req);
    if (!checked.ok) return refuse('webhook', req, { status: checked.status, body: { error: checked.reason } }, checked.reason);
    const seen = byId.get(checked.id);
    if (seen) seen.attempts++;
    else record('webhook', req, checked.id, checked.body);
    return { status: 204, body: null };
  };

  return new Emulator({
    name: 'notify',
    routes: [
      { method: 'POST', pattern: '/services/:team/:channel/:token', handler: slack },
      { method: 'POST', pattern: '/webhooks/:endpoint', handler: webhook },
    ],
    errorBody: (_status, message) => message,
    // Notifications have no response payload a silent change could alter.
    drift: (body) => body,
    commonHeaders: (req) => ({
      'x-request-id': randomBytes(8).toString('hex'),
      ...(req.path.startsWith('/services/') ? { 'content-type': 'text/plain; charset=utf-8' } : {}),
    }),
    reset() {
      deliveries = [];
      refusals = [];
      byId.clear();
      seq = 0;
    },
    control(req) {
      if (req.method === 'GET' && req.path === '/__control/deliveries') return { status: 200, body: { deliveries, refusals } };
      return undefined;
    },
  });
}
