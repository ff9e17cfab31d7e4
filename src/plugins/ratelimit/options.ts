// Options of the inbound rate-limit plugin.
import type { Redis } from 'ioredis';

export interface InboundRateLimitOptions {
  /** Operation-cost points each principal may spend per window (default 600). */
  points: number;
  /** Window length in ms (default 60 000). */
  windowMs: number;
  /** Extra points a principal may spend at once on top of `points`, refilled over the same window (default 100). */
  burst: number;
  /** Shared across replicas when given; in memory (this process only) otherwise. */
  redis?: Redis;
}

export const INBOUND_DEFAULTS = { points: 600, windowMs: 60_000, burst: 100 } as const;
