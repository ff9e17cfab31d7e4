// Where each AI call's usage goes once it is known: the operation's scope (its audit record), the
// ai_usage table (aiUsage), and listeners (the metrics). Rows are written in batches off the
// request path: an answer never waits for its usage row, and a burst of calls is one insert per
// batch. The budget ledger, not this table, is what limits spending, so a row still in a batch
// when the process dies costs an undercount in aiUsage, never an overspend; close() flushes.
import type { Logger } from 'pino';
import type { AiUsageRow, AiUsageStore } from '../connectors/store/index.ts';
import { currentScope, type AiUsageRecord, type OperationScope } from '../pipeline/scope.ts';

const MAX_PENDING = 10_000;
const RETRY_MS = 5_000;

export interface AiUsageEntry extends AiUsageRecord {
  at: Date;
  requestId: string | null;
  principalId: string | null;
}

export interface AiUsageLogOptions {
  store?: AiUsageStore | undefined;
  logger?: Logger | undefined;
  /** Most rows per insert (default 200). */
  batch?: number;
  /** Longest a row waits for its batch, in ms (default 250). */
  flushMs?: number;
}

export class AiUsageLog {
  private pending: AiUsageRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly listeners: ((entry: AiUsageEntry) => void)[] = [];
  private readonly batch: number;
  private readonly flushMs: number;

  constructor(private readonly o: AiUsageLogOptions = {}) {
    this.batch = o.batch ?? 200;
    this.flushMs = o.flushMs ?? 250;
  }

  /** Calls `listener` with every entry recorded from now on. */
  onRecord(listener: (entry: AiUsageEntry) => void): void {
    this.listeners.push(listener);
  }

  /** One answered (or cut) call: charged to the current operation's audit record and queued for ai_usage. */
  record(usage: AiUsageRecord, principalId: string | null, scope: OperationScope | undefined = currentScope()): void {
    scope?.ai.push(usage);
    const entry: AiUsageEntry = { ...usage, at: new Date(), requestId: scope?.requestId ?? null, principalId };
    for (const l of this.listeners) {
      try {
        l(entry);
      } catch (err) {
        this.o.logger?.warn({ err }, 'AI usage listener failed');
      }
    }
    if (!this.o.store) return;
    const { text: _text, ...row } = entry;
    this.pending.push(row);
    if (this.pending.length >= this.batch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
  }

  /** Writes what is queued; resolves when every row recorded so far is in the table (or was reported lost). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.pending;
    this.pending = [];
    if (rows.length && this.o.store) {
      const store = this.o.store;
      this.writing = this.writing.then(() =>
        store.insert(rows).catch((err: unknown) => {
          // Kept for the next batch while the store is away, up to a bound that stops memory growing.
          const kept = Math.max(0, Math.min(rows.length, MAX_PENDING - this.pending.length));
          this.pending.unshift(...rows.slice(0, kept));
          if (kept) this.timer ??= setTimeout(() => void this.flush(), RETRY_MS).unref();
          this.o.logger?.error({ err, rows: rows.length, dropped: rows.length - kept }, 'AI usage rows could not be written; kept for the next batch');
        }),
      );
    }
    return this.writing;
  }

  close(): Promise<void> {
    return this.flush();
  }
}
