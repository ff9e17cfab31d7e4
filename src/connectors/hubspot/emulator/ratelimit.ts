// HubSpot's private-app limits: a rolling ten-second burst window, a separate per-second
// window for the CRM search endpoints, and a daily quota (Professional tier numbers).
import type { EmuRequest, EmuResponse } from '../../../emulators/http.ts';
import { DAILY, SECONDLY, TEN_SECONDLY, rateLimitBody, type RateLimitPolicy } from './errors.ts';

import { RollingWindow, type RateLimitConfig } from '../../../emulators/ratelimit.ts';

export type { RateLimitConfig } from '../../../emulators/ratelimit.ts';

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { max: 190, intervalMs: 10_000 };
export const DEFAULT_SEARCH_RATE_LIMIT: RateLimitConfig = { max: 5, intervalMs: 1_000 };
export const DAILY_LIMIT = 650_000;

/**
 * The Emulator calls commonHeaders once per request before the route handler, so the
 * decision is made there (where the headers are built) and remembered per request for the
 * handler guard. The request's headers object is the key: it is shared by both calls.
 */
export class HubspotLimits {
  private readonly burst: RollingWindow | undefined;
  private readonly search: RollingWindow | undefined;
  private daily = 0;
  private readonly decisions = new WeakMap<object, RateLimitPolicy>();

  constructor(burst: RateLimitConfig | false, search: RateLimitConfig | false) {
    this.burst = burst ? new RollingWindow(burst) : undefined;
    this.search = search ? new RollingWindow(search) : undefined;
  }

  headers(req: EmuRequest): Record<string, string> {
    const isSearch = req.method === 'POST' && req.path.endsWith('/search');
    const window = isSearch ? this.search : this.burst;
    const now = Date.now();
    const dailyLeft = DAILY_LIMIT - this.daily;
    let denied: RateLimitPolicy | undefined = dailyLeft <= 0 ? DAILY : undefined;
    let remaining = this.burst ? this.burst.peek(now) : DEFAULT_RATE_LIMIT.max;
    if (!denied && window) {
      const r = window.take(now);
      if (!r.allowed) denied = isSearch ? SECONDLY : TEN_SECONDLY;
      if (!isSearch) remaining = r.remaining;
    }
    if (denied) this.decisions.set(req.headers, denied);
    else this.daily++;
    const burst = this.burst?.config ?? DEFAULT_RATE_LIMIT;
    return {
      'X-HubSpot-RateLimit-Daily': String(DAILY_LIMIT),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, DAILY_LIMIT - this.daily)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(burst.intervalMs),
      'X-HubSpot-RateLimit-Max': String(burst.max),
      'X-HubSpot-RateLimit-Remaining': String(remaining),
    };
  }

  /** The 429 for a request that commonHeaders turned away, if it was. */
  rejection(req: EmuRequest): EmuResponse | undefined {
    const policy = this.decisions.get(req.headers);
    return policy ? { status: 429, body: rateLimitBody(policy) } : undefined;
  }

  reset(): void {
    this.burst?.reset();
    this.search?.reset();
    this.daily = 0;
  }
}
