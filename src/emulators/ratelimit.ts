// The rolling window the emulators count requests in, as the systems they stand in for do: a
// request is refused while the last interval holds `max` counted ones.
export interface RateLimitConfig {
  max: number;
  intervalMs: number;
}

export class RollingWindow {
  private hits: number[] = [];
  readonly config: RateLimitConfig;

  constructor(config: RateLimitConfig) {
    this.config = config;
  }

  /** Counts the request if there is room; rejected requests do not use up the window. */
  take(now: number): { allowed: boolean; remaining: number } {
    const cutoff = now - this.config.intervalMs;
    while (this.hits.length && this.hits[0]! <= cutoff) this.hits.shift();
    if (this.hits.length >= this.config.max) return { allowed: false, remaining: 0 };
    this.hits.push(now);
    return { allowed: true, remaining: this.config.max - this.hits.length };
  }

  /** What is left without counting a request. */
  peek(now: number): number {
    const cutoff = now - this.config.intervalMs;
    return this.config.max - this.hits.filter((t) => t > cutoff).length;
  }

  reset(): void {
    this.hits = [];
  }
}
