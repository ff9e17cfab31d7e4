// One transport's deliveries, one at a time in the order they were queued, so a "resolved"
// never overtakes its "firing", and never on a request's time.
import { AsyncLocalStorage } from 'node:async_hooks';
import { UpstreamError } from '../../errors/upstream.ts';

export class DeliveryQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  // The context of startup, outside any request. A delivery queued while a request runs would
  // otherwise inherit its AsyncLocalStorage scope: its pipeline call would join that request's
  // audit record and trace, and the client going away would cancel it.
  private readonly detached = AsyncLocalStorage.snapshot();

  constructor(
    private readonly connector: string,
    /** Beyond this many undelivered messages (a receiver down for long), new ones are refused. */
    private readonly maxPending = 1_000,
  ) {}

  push(deliver: () => Promise<void>): Promise<void> {
    if (this.pending >= this.maxPending) {
      return Promise.reject(
        new UpstreamError({
          connector: this.connector,
          operation: 'deliver',
          kind: 'rate_limited',
          message: `${this.maxPending} notifications already wait for delivery`,
        }),
      );
    }
    this.pending++;
    return this.detached(() => {
      const run = this.tail.then(deliver).finally(() => this.pending--);
      this.tail = run.catch(() => undefined);
      return run;
    });
  }

  /** Waits until every queued delivery has settled, at most timeoutMs. */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.tail, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }
}
