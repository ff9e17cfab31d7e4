// Options of the inbound rate-limit plugin.
import type { Redis } from 'ioredis';

export interface InboundRateLimitOptions {
  /** Operation-cost points each principal may spend per window (INBOUND_RATE_LIMIT, default 60 000). */
  points: number;
  /** Window length in ms (INBOUND_RATE_WINDOW_MS, default 60 000). */
  windowMs: number;
  /** Extra points a principal may spend at once on top of `points`, refilled over the same window (INBOUND_BURST, default 10 000). */
  burst: number;
  /** Shared across replicas when given; in memory (this process only) otherwise. */
  redis?: Redis;
}
