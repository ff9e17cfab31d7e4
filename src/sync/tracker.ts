// One import or reconciliation in progress: its phase, listing cursors, progress and counts, saved
// with each page it commits (in that page's transaction), so a run taken over after a crash
// resumes at its last committed page. A save that finds the lease gone stops the run here: another
// process has it now.
import type { Db } from '../connectors/store/db.ts';
import type { SyncRunRecord, SyncStore } from '../connectors/store/index.ts';

/** A phase's cursor once its listing is done. */
export const DONE = '__done__';

export class LeaseLost extends Error {
  override name = 'LeaseLost';
}

export class Tracker {
  phase: string;
  readonly cursor: Record<string, string | null>;
  readonly counts: Record<string, number>;
  progress: SyncRunRecord['progress'];
  private lastSave = 0;
  private saving: Promise<void> | undefined;

  constructor(
    readonly run: SyncRunRecord,
    private readonly store: SyncStore,
    private readonly owner: string,
    private readonly leaseMs: number,
    readonly signal: AbortSignal,
  ) {
    this.phase = run.phase ?? 'start';
    this.cursor = { ...run.cursor };
    this.counts = { ...run.counts };
    this.progress = { ...run.progress };
  }

  add(name: string, n = 1): void {
    if (n) this.counts[name] = (this.counts[name] ?? 0) + n;
  }

  /** Starts a phase (or resumes it): `done` counts what earlier attempts of it did. */
  enter(phase: string, total: number | null = null): void {
    this.phase = phase;
    this.progress = { phase, done: this.progress.phase === phase ? (this.progress.done ?? 0) : 0, total };
  }

  step(n: number): void {
    this.progress = { ...this.progress, done: (this.progress.done ?? 0) + n };
  }

  /** Saves where the run stands (with `cursor` for the phase, on `tx` when given). */
  async save(cursor?: Record<string, string | null>, tx?: Db): Promise<void> {
    this.signal.throwIfAborted();
    if (cursor) Object.assign(this.cursor, cursor);
    const held = await this.store.save(this.run.id, this.owner, this.leaseMs, { phase: this.phase, cursor, progress: this.progress, counts: this.counts }, tx);
    if (!held) throw new LeaseLost(`sync run ${this.run.id} was taken over by another process`);
    this.lastSave = Date.now();
  }

  /** Saves progress at most every 250 ms between pages (the bar's refresh); listings running side by side share one save. */
  async tick(): Promise<void> {
    if (this.saving) return this.saving;
    if (Date.now() - this.lastSave < 250) return;
    this.saving = this.save().finally(() => (this.saving = undefined));
    return this.saving;
  }
}
