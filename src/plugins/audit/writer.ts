// Gets audit records into the table without holding up a request and without losing one.
// write() only queues: on the next turn of the event loop the batch is serialised (once: those
// bytes are spooled, hashed and inserted), logged (one pino line per record, unless its
// request's own log line carries it), appended to the spool, and the drain loop inserts
// spooled segments, oldest first, in batches. While the database is down the drain retries
// with jittered exponential backoff and records pile up in the spool (on disk) and, up to
// bufferMax, in memory; when it is back they are written in order. close() flushes what it can
// and leaves the rest spooled for the next start. A record is lost only when the database, the
// disk and the memory budget all fail at once, and then its log line still exists and
// `dropped` counts it.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DbError } from '../../connectors/store/db.ts';
import type { AuditEntry, AuditRecord, AuditStore } from '../../connectors/store/index.ts';
import { linkHash, serializeRecord } from './chain.ts';
import { Spool, type Segment } from './spool.ts';
import { AUDIT_WRITER_DEFAULTS, type AuditWriterOptions } from './options.ts';

export interface WriteOptions {
  /** The record is in its request's log line (src/ops/requestLog.ts): the writer logs no line of its own. */
  logged?: boolean;
}

export interface AuditSink {
  write(record: AuditRecord, options?: WriteOptions): void;
}

interface Pending {
  segment?: Segment;
  /** In memory; undefined when the segment must be read back from disk. */
  records?: AuditEntry[];
  count: number;
}

interface Incoming {
  record: AuditRecord;
  logged: boolean;
}

// Data and integrity errors: retrying the same rows cannot succeed. A unique violation is the
// exception: it means another writer got in first, and a retry reads the new chain head.
const permanent = (err: unknown) => err instanceof DbError && /^2[23]/.test(err.code ?? '') && err.code !== '23505';

export class AuditWriter implements AuditSink {
  readonly stats = { written: 0, spooled: 0, dropped: 0, failures: 0 };
  readonly spool: Spool;
  private readonly o: Required<Omit<AuditWriterOptions, 'store' | 'logger' | 'spoolDir' | 'seal' | 'onHead'>>;
  private readonly log: Logger;
  private readonly queue: Pending[] = [];
  private incoming: Incoming[] = [];
  private active: Pending | undefined;
  private held = 0;
  private draining: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delayMs = 0;
  private down = false;
  private closed = false;

  constructor(private readonly options: AuditWriterOptions) {
    this.o = { ...AUDIT_WRITER_DEFAULTS, ...options };
    this.log = options.logger.child({ channel: 'audit' });
    this.spool = new Spool(options.spoolDir, randomUUID());
    const adopted = this.spool.adopt();
    if (adopted.length) {
      this.queue.push(...adopted.map((segment) => ({ segment, count: segment.count })));
      this.log.info({ records: adopted.reduce((n, s) => n + s.count, 0), segments: adopted.length }, 'audit: writing records spooled by a previous process');
      this.kick();
    }
  }

  write(record: AuditRecord, options?: WriteOptions): void {
    if (this.closed) {
      this.stats.dropped++;
      this.log.error({ audit: record }, 'audit record after the writer closed: kept in the log only');
      return;
    }
    this.incoming.push({ record, logged: options?.logged === true });
    if (this.incoming.length === 1) setImmediate(() => this.spoolIncoming());
  }

  /** Records not yet in the table. */
  backlog(): number {
    return this.incoming.length + (this.active?.count ?? 0) + this.queue.reduce((n, p) => n + p.count, 0);
  }

  /** Writes what is pending; resolves with the number of records still not written at the deadline. */
  async flush(timeoutMs = 5_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    this.spoolIncoming();
    while (this.backlog() > 0 && Date.now() < deadline) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.kick();
      await this.draining;
      if (this.backlog() > 0) await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, deadline - Date.now()))));
    }
    return this.backlog();
  }

  async close(timeoutMs = 5_000): Promise<number> {
    const left = await this.flush(timeoutMs);
    this.closed = true;
    clearTimeout(this.timer);
    await this.draining;
    this.spool.close();
    if (left) this.log.warn({ left, spool: this.spool.dir }, 'audit: records left in the spool; the next start on this DATA_DIR writes them');
    return left;
  }

  private spoolIncoming(): void {
    if (!this.incoming.length) return;
    const incoming = this.incoming.splice(0);
    const batch = incoming.map((i) => serializeRecord(i.record));
    for (let i = 0; i < batch.length; i++) if (!incoming[i]!.logged) this.log.info({ audit: batch[i]!.record }, 'audit');
    try {
      const segment = this.spool.append(batch);
      this.stats.spooled += batch.length;
      if (this.active?.segment !== segment) this.active = { segment, records: [], count: 0 };
      this.active.count = segment.count;
      if (this.active.records && this.held + batch.length <= this.o.bufferMax) {
        this.active.records.push(...batch);
        this.held += batch.length;
      } else if (this.active.records) {
        // Over the memory budget: this segment is read back from disk when its turn comes.
        this.held -= this.active.records.length;
        this.active.records = undefined;
      }
      if (segment.count >= this.o.segmentMax) this.rotate();
    } catch (err) {
      this.rotate();
      if (this.held + batch.length <= this.o.bufferMax) {
        this.log.error({ err: (err as Error).message, spool: this.spool.dir }, 'audit: spool not writable; holding records in memory');
        this.queue.push({ records: batch, count: batch.length });
        this.held += batch.length;
      } else {
        this.stats.dropped += batch.length;
        this.log.error(
          { ids: batch.map((e) => e.record.id) },
          'audit: records dropped (database, spool and memory budget all exhausted); their log lines above remain',
        );
      }
    }
    this.kick();
  }

  private rotate(): void {
    if (!this.active) return;
    this.spool.rotate();
    this.queue.push(this.active);
    this.active = undefined;
  }

  private kick(): void {
    if (this.draining || this.timer) return;
    this.draining = this.drain().finally(() => (this.draining = undefined));
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (!this.queue.length && this.active) this.rotate();
      const item = this.queue[0];
      if (!item) return;
      try {
        const records = item.records ?? this.spool.read(item.segment!.path);
        for (let i = 0; i < records.length; i += this.o.batchMax) await this.insert(records.slice(i, i + this.o.batchMax));
      } catch (err) {
        this.failed(err);
        return;
      }
      if (item.segment) this.spool.remove(item.segment.path);
      this.queue.shift();
      if (item.records) this.held -= item.records.length;
      if (this.down) this.log.info({ backlog: this.backlog() }, 'audit: store reachable again; spooled records written');
      this.down = false;
      this.delayMs = 0;
    }
  }

  private async insert(chunk: AuditEntry[]): Promise<void> {
    try {
      this.appended(await this.options.store.append(chunk, linkHash, this.options.seal));
    } catch (err) {
      if (!permanent(err)) throw err;
      if (chunk.length > 1) {
        for (const one of chunk) await this.insert([one]);
        return;
      }
      // One record the database refuses as data: a stand-in keeps the trail without a hole.
      const { record } = chunk[0]!;
      this.log.error({ err: (err as Error).message, audit: record }, 'audit: record refused by the database; storing it without its variables');
      const standIn = serializeRecord({ ...record, variables: `[unstorable: ${(err as DbError).code}]` });
      this.appended(await this.options.store.append([standIn], linkHash, this.options.seal));
    }
  }

  private appended(result: Awaited<ReturnType<AuditStore['append']>>): void {
    this.stats.written += result.written;
    if (result.head) this.options.onHead?.(result.head);
  }

  private failed(err: unknown): void {
    this.stats.failures++;
    if (!this.down) this.log.warn({ err: (err as Error).message, spool: this.spool.dir }, 'audit: store unavailable; records are spooled and retried');
    this.down = true;
    this.delayMs = Math.min(this.o.retryMaxMs, this.delayMs ? this.delayMs * 2 : this.o.retryMinMs);
    const wait = this.delayMs / 2 + Math.random() * (this.delayMs / 2);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, wait);
    this.timer.unref();
  }
}
