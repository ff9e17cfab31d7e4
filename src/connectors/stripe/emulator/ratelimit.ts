// Stripe's basic rate limiter (docs.stripe.com/rate-limits): per account, per second, 100
// operations in live mode and 25 in a sandbox (test keys). A request over it is answered 429 with
// code `rate_limit`; refused requests do not count, so a client that backs off gets through.
import { RollingWindow, type RateLimitConfig } from '../../../emulators/ratelimit.ts';
import { StripeApiError } from './errors.ts';

export interface StripeRateLimit {
  /** Requests per second with a live key (sk_live_, rk_live_). */
  live: number;
  /** Requests per second with any other key (the sandbox). */
  test: number;
}

export const DEFAULT_STRIPE_RATE_LIMIT: StripeRateLimit = { live: 100, test: 25 };

const MESSAGE = 'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.';

export class StripeLimiter {
  // Keyed by API key: each stands for one account (and mode) here.
  private readonly windows = new Map<string, RollingWindow>();

  constructor(private readonly limit: StripeRateLimit | false) {}

  /** Counts the request, or throws the 429 Stripe answers when the second is full. */
  take(apiKey: string, now = Date.now()): void {
    if (!this.limit) return;
    let window = this.windows.get(apiKey);
    if (!window) {
      const live = apiKey.startsWith('sk_live_') || apiKey.startsWith('rk_live_');
      const config: RateLimitConfig = { max: live ? this.limit.live : this.limit.test, intervalMs: 1_000 };
      window = new RollingWindow(config);
      this.windows.set(apiKey, window);
    }
    if (!window.take(now).allowed) {
      throw new StripeApiError(429, { type: 'invalid_request_error', code: 'rate_limit', message: MESSAGE }, { 'Stripe-Should-Retry': 'true' });
    }
  }

  reset(): void {
    this.windows.clear();
  }
}
