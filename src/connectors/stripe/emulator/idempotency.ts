// Idempotent POSTs: the first result for (API key, Idempotency-Key) is saved and replayed
// byte for byte; reusing a key on another endpoint or with other parameters is an error.
import type { EmuResponse } from '../../../emulators/http.ts';
import { idempotencyError, invalid } from './errors.ts';

export interface Saved {
  endpoint: string;
  params: string;
  requestId: string;
  status: number;
  body: string;
  headers: Record<string, string>;
  at: number;
}

const TTL_MS = 24 * 60 * 60 * 1000;
// The SDK puts a fresh key on every POST, so the table is bounded as well as expired.
const MAX_KEYS = 10_000;

export class IdempotencyStore {
  private readonly saved = new Map<string, Saved>();

  clear(): void {
    this.saved.clear();
  }

  entries(): [string, Saved][] {
    return [...this.saved];
  }

  load(entries: [string, Saved][]): void {
    this.saved.clear();
    for (const [k, v] of entries) this.saved.set(k, v);
  }

  private prune(now: number): void {
    for (const [k, v] of this.saved) {
      if (now - v.at < TTL_MS && this.saved.size < MAX_KEYS) break;
      this.saved.delete(k);
    }
  }

  run(apiKey: string, key: string, endpoint: string, params: string, requestId: string, exec: () => EmuResponse): EmuResponse {
    if (key.length > 255) throw invalid(`Idempotency-Key must be 255 characters or fewer, but you passed in a key that is ${key.length} characters.`);
    const now = Date.now();
    this.prune(now);
    const scoped = `${apiKey}\u0000${key}`;
    const prior = this.saved.get(scoped);
    if (prior) {
      if (prior.endpoint !== endpoint) {
        throw idempotencyError(
          `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${prior.endpoint}' vs '${endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      }
      if (prior.params !== params) {
        throw idempotencyError(
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      }
      return {
        status: prior.status,
        body: JSON.parse(prior.body) as unknown,
        headers: { ...prior.headers, 'Idempotency-Key': key, 'Original-Request': prior.requestId, 'Idempotent-Replayed': 'true' },
      };
    }
    const res = exec();
    // Stripe saves a result only once the endpoint has run: successes and card declines (which
    // leave a changed PaymentIntent behind), not requests that failed validation.
    if (res.status < 300 || res.status === 402) {
      this.saved.set(scoped, {
        endpoint,
        params,
        requestId,
        status: res.status,
        body: JSON.stringify(res.body),
        headers: res.headers ?? {},
        at: now,
      });
    }
    return { ...res, headers: { ...res.headers, 'Idempotency-Key': key, 'Original-Request': requestId } };
  }
}
