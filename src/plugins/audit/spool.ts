// The audit writer's append-only spool: every record reaches a segment file (JSON lines) before
// the database, and a segment is deleted once all its records are committed. A line is the
// record's canonical JSON, the very text that is hashed and inserted. A process that
// dies leaves its segments behind; the next writer on the same DATA_DIR adopts them.
//
// Layout: <dir>/<writerId>/owner.json (pid and host) and <dir>/<writerId>/<time>-<n>.jsonl.
// A writer adopts another's directory only when that owner is gone: a dead pid on this host,
// or a writer of this very process that has closed. Writes are plain write(2) calls into the
// page cache: a process crash loses nothing written; a power loss may lose the last moments
// (a per-record fsync would cost more than the request it audits).
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { AuditEntry, AuditRecord } from '../../connectors/store/index.ts';
import { serializeRecord } from './chain.ts';

/** Writers open in this process: their directories are never adopted by a sibling. */
const LIVE = new Set<string>();

export interface Segment {
  path: string;
  count: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class Spool {
  readonly dir: string;
  private fd: number | undefined;
  private active: Segment | undefined;
  private n = 0;

  constructor(
    root: string,
    readonly writerId: string,
  ) {
    this.dir = path.join(root, writerId);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(path.join(this.dir, 'owner.json'), JSON.stringify({ pid: process.pid, host: hostname(), writerId }));
    LIVE.add(writerId);
  }

  /** Moves the segments of writers that are gone into this spool; returns them, oldest first. */
  adopt(): Segment[] {
    const root = path.dirname(this.dir);
    const adopted: Segment[] = [];
    for (const other of readdirSync(root)) {
      const dir = path.join(root, other);
      if (other === this.writerId || !existsSync(path.join(dir, 'owner.json'))) continue;
      let owner: { pid: number; host: string };
      try {
        owner = JSON.parse(readFileSync(path.join(dir, 'owner.json'), 'utf8')) as typeof owner;
      } catch {
        continue; // being written by a writer starting right now
      }
      const gone = owner.host === hostname() && (owner.pid === process.pid ? !LIVE.has(other) : !alive(owner.pid));
      if (!gone) continue;
      for (const file of readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()) {
        const to = path.join(this.dir, `adopted-${other}-${file}`);
        try {
          renameSync(path.join(dir, file), to);
        } catch {
          continue; // another writer adopted it first
        }
        adopted.push({ path: to, count: this.read(to).length });
      }
      rmSync(dir, { recursive: true, force: true });
    }
    return adopted.sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** Appends records to the active segment (opened on demand); throws when the disk refuses. */
  append(entries: readonly AuditEntry[]): Segment {
    if (!this.active || this.fd === undefined) {
      const name = `${String(Date.now()).padStart(15, '0')}-${String(++this.n).padStart(6, '0')}.jsonl`;
      this.active = { path: path.join(this.dir, name), count: 0 };
      this.fd = openSync(this.active.path, 'a');
    }
    let text = '';
    for (const e of entries) text += `${e.json}\n`;
    writeSync(this.fd, text);
    this.active.count += entries.length;
    return this.active;
  }

  /** Closes the active segment, so it can be drained while new records go to a fresh one. */
  rotate(): Segment | undefined {
    const closed = this.active;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.active = undefined;
    return closed;
  }

  /**
   * A segment's records; a torn last line (a crash mid-write) is skipped. Each is serialised
   * again rather than trusted as canonical: a segment left by an older version holds plain
   * JSON.stringify lines, in the record's own key order.
   */
  read(file: string): AuditEntry[] {
    const out: AuditEntry[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(serializeRecord(JSON.parse(line) as AuditRecord));
      } catch {
        // Only the last line can be torn, and its record was never acknowledged to anyone.
      }
    }
    return out;
  }

  remove(file: string): void {
    rmSync(file, { force: true });
  }

  /** Stops appending; an empty spool removes its directory, a non-empty one stays for adoption. */
  close(): void {
    this.rotate();
    LIVE.delete(this.writerId);
    const left = existsSync(this.dir) && readdirSync(this.dir).some((f) => f.endsWith('.jsonl'));
    if (!left) rmSync(this.dir, { recursive: true, force: true });
  }
}
