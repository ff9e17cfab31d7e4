// Anchors: the audit chain's head, copied outside the database now and then and at shutdown,
// to a file (JSON lines, appended and fsynced) and to the log. A chain can be cut short or
// rewritten inside the database without a trace there; an anchor written before that still names
// the seq and hash the chain had, and `switchyard audit verify` checks that every anchor is still
// on the chain. With AUDIT_HMAC_KEY each anchor carries its own MAC, so a forged anchor line is
// refused. The log copy is for log storage that the database's users cannot rewrite.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ChainHead } from '../../connectors/store/index.ts';

export interface Anchor {
  seq: number;
  hash: string;
  /** When the anchor was written (ISO-8601). */
  at: string;
  /** MAC of (seq, hash, at) under AUDIT_HMAC_KEY; null without a key. */
  hmac: string | null;
}

export function anchorMac(key: string, a: Pick<Anchor, 'seq' | 'hash' | 'at'>): string {
  return createHmac('sha256', key).update(`switchyard.audit.anchor.v1\n${a.seq}\n${a.hash}\n${a.at}`).digest('hex');
}

export interface AnchorFile {
  anchors: (Anchor & { line: number })[];
  /** Lines that are not anchors (edited, or torn by a crash mid-write). */
  unreadable: number[];
}

function isAnchor(v: unknown): v is Anchor {
  const a = v as Anchor;
  return (
    !!a && Number.isSafeInteger(a.seq) && a.seq > 0 && typeof a.hash === 'string' && typeof a.at === 'string' && (a.hmac === null || typeof a.hmac === 'string')
  );
}

/** Anchors from an anchor file, or from a pino log (its "audit anchor" lines; other lines are skipped). */
export function readAnchors(file: string): AnchorFile {
  const out: AnchorFile = { anchors: [], unreadable: [] };
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.trim()) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        out.unreadable.push(i + 1);
        return;
      }
      const logged = parsed as { msg?: unknown; anchor?: unknown } | null;
      const candidate = logged && typeof logged.msg === 'string' ? logged.anchor : parsed;
      if (isAnchor(candidate)) out.anchors.push({ seq: candidate.seq, hash: candidate.hash, at: candidate.at, hmac: candidate.hmac, line: i + 1 });
      else if (!(logged && typeof logged.msg === 'string')) out.unreadable.push(i + 1);
    });
  return out;
}

export interface AnchorWriterOptions {
  file: string;
  intervalMs: number;
  key: string | undefined;
  logger: Logger;
}

/** Told of every chain head the audit writer links; anchors the newest one on a timer and at close(). */
export class AnchorWriter {
  private head: ChainHead | undefined;
  private anchoredSeq = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly o: AnchorWriterOptions) {
    this.timer = setInterval(() => this.anchor(), o.intervalMs);
    this.timer.unref();
  }

  note(head: ChainHead): void {
    if (!this.head || head.seq > this.head.seq) this.head = head;
  }

  /** Appends the newest head when it moved since the last anchor; a failure is logged, never thrown. */
  anchor(): Anchor | undefined {
    const head = this.head;
    if (!head || head.seq <= this.anchoredSeq) return undefined;
    const at = new Date().toISOString();
    const anchor: Anchor = { seq: head.seq, hash: head.hash, at, hmac: this.o.key ? anchorMac(this.o.key, { ...head, at }) : null };
    this.o.logger.info({ channel: 'audit', anchor }, 'audit anchor');
    try {
      if (!existsSync(path.dirname(this.o.file))) mkdirSync(path.dirname(this.o.file), { recursive: true });
      const fd = openSync(this.o.file, 'a');
      try {
        writeSync(fd, `${JSON.stringify(anchor)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      this.anchoredSeq = head.seq;
    } catch (err) {
      this.o.logger.error(
        { channel: 'audit', err: (err as Error).message, file: this.o.file },
        'audit: could not write the anchor file (the anchor is in the log)',
      );
    }
    return anchor;
  }

  close(): void {
    clearInterval(this.timer);
    this.anchor();
  }
}
