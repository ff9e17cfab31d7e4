// What a Standard Webhooks receiver checks before it trusts a delivery: the three headers, the
// timestamp within 5 minutes, an HMAC-SHA256 over `id.timestamp.body` with the shared secret
// (any of several `v1,` signatures, for secret rotation), and a JSON body of the spec's shape.
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { EmuRequest } from '../../../emulators/http.ts';

export type Checked = { ok: true; id: string; body: unknown } | { ok: false; status: number; reason: string };

export function verifySigned(secret: string, req: EmuRequest): Checked {
  const header = (name: string) => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : '';
  };
  const headers = { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature') };
  let body: unknown;
  try {
    body = new Webhook(secret).verify(req.rawBody, headers);
  } catch (err) {
    if (err instanceof WebhookVerificationError) return { ok: false, status: 401, reason: `signature: ${err.message}` };
    return { ok: false, status: 400, reason: 'body is not JSON' };
  }
  const b = body as { type?: unknown; timestamp?: unknown; data?: unknown } | null;
  if (typeof b?.type !== 'string' || typeof b.timestamp !== 'string' || typeof b.data !== 'object' || b.data === null) {
    return { ok: false, status: 400, reason: 'body must be { type, timestamp, data }' };
  }
  return { ok: true, id: headers['webhook-id'], body };
}
