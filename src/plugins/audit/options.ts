// Options of the audit plugin and its writer, with their defaults (README, "Audit, metrics and alerts").
import type { Logger } from 'pino';
import type { AuditStore, ChainHead, ChainSeal } from '../../connectors/store/index.ts';
import type { AuditSink } from './writer.ts';

export interface AuditRedaction {
  /**
   * default: values under sensitive-looking names, and card numbers and email addresses
   * anywhere, become "[redacted]"; all: every value (names and shape stay); none: as sent.
   */
  mode: 'none' | 'default' | 'all';
  /** More names whose values are always redacted (exact, case-insensitive), in every mode. */
  names: string[];
  /** redact: prompt and messages variables are redacted whatever the mode, and AI answers are not kept; keep: both are kept. */
  aiPrompts: 'redact' | 'keep';
}

export const AUDIT_REDACTION_DEFAULTS: AuditRedaction = { mode: 'default', names: [], aiPrompts: 'redact' };

export interface AuditPluginOptions {
  sink: AuditSink;
  redaction: AuditRedaction;
}

export interface AuditWriterOptions {
  store: AuditStore;
  logger: Logger;
  /** Directory of the spool (default: DATA_DIR/audit-spool). */
  spoolDir: string;
  /** Records held in memory at most; beyond it the spool on disk holds them (default 10 000). */
  bufferMax?: number;
  /** Records per spool segment file (default 1 000). */
  segmentMax?: number;
  /** Rows per insert transaction (default 500). */
  batchMax?: number;
  /** Backoff of retries while the database is down (defaults 100 ms doubling up to 30 s). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** MACs each row (chainSeal with AUDIT_HMAC_KEY); without it rows carry none. */
  seal?: ChainSeal;
  /** Told of the newest row after each insert (the anchors copy it outside the database). */
  onHead?: (head: ChainHead) => void;
}

export const AUDIT_WRITER_DEFAULTS = { bufferMax: 10_000, segmentMax: 1_000, batchMax: 500, retryMinMs: 100, retryMaxMs: 30_000 };
