// Refused credentials per client address. Every refusal a guess gets (an unknown or wrong key, a
// bad signature, an unreadable credential; src/auth/resolve.ts) is counted against the address it
// came from; past
// AUTH_FAILURE_LIMIT refusals in AUTH_FAILURE_WINDOW_MS the address's credentials are refused unread
// (429 RATE_LIMITED with Retry-After) until the window is over, so guessing costs neither a store
// read nor a signature check per attempt. Requests without a credential are not affected, nor are
// other addresses. The count is kept by the caller's limiter (in Redis when there is one, so it is
// shared by replicas); the refusal is remembered here, so a refused address costs a map lookup.
import { LRUCache } from 'lru-cache';

/** Counts one refusal for an address; resolves with how long it must wait (0 while it has refusals left). */
export type CountFailure = (address: string) => Promise<number>;

export class FailedCredentials {
  // Bounded by count through maxSize, as the verified-token cache is (no slots allocated up front).
  private readonly until = new LRUCache<string, number>({ maxSize: 10_000, sizeCalculation: () => 1 });

  constructor(private readonly count: CountFailure) {}

  /** How long this address must wait before a credential of its is checked again; 0 when it may try. */
  waitMs(address: string): number {
    const until = this.until.get(address);
    if (until === undefined) return 0;
    const left = until - Date.now();
    if (left > 0) return left;
    this.until.delete(address);
    return 0;
  }

  async failed(address: string): Promise<void> {
    const wait = await this.count(address);
    if (wait > 0) this.until.set(address, Date.now() + wait);
  }
}
