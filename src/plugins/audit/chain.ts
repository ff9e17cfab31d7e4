// The hash chain over audit records. Each row's hash covers its position, the previous row's
// hash and the canonical JSON of its record, so changing, removing, inserting or reordering a
// row breaks the chain at that row (or, if its own hash was recomputed too, at the next one).
//
// The canonical form must survive a round trip through Postgres jsonb, which reorders object
// keys: keys are sorted here, recursively. Numbers print as JavaScript prints them; jsonb keeps
// the decimal text exactly, so they read back identical. Strings are made storable by
// sanitizeForJsonb before a record is hashed (jsonb refuses \u0000 and lone surrogates).
//
// The hashes alone only show accidents and clumsy edits: anyone who can write to the table can
// recompute every hash after a change. The MAC (chainSeal) is what they cannot recompute: it is
// keyed by AUDIT_HMAC_KEY, which lives in the configuration and never in the database. Because a
// row's hash covers its record, its position and the hash before it, a MAC over (seq, hash)
// authenticates the whole chain up to that row.
import { createHash, createHmac } from 'node:crypto';
import type { AuditRecord, ChainLink, ChainSeal } from '../../connectors/store/index.ts';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const linkHash: ChainLink = (prevHash: string, seq: number, record: AuditRecord): string =>
  createHash('sha256')
    .update(`${prevHash}\n${seq}\n${canonicalJson(record)}`)
    .digest('hex');

export function chainSeal(key: string): ChainSeal {
  return (seq, hash) => createHmac('sha256', key).update(`switchyard.audit.row.v1\n${seq}\n${hash}`).digest('hex');
}

// NUL, and a surrogate half without its other half.
// eslint-disable-next-line no-control-regex -- matching NUL is the point: Postgres cannot store it.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces what jsonb cannot store (NUL, unpaired surrogates), in keys and values, recursively. */
export function sanitizeForJsonb<T>(value: T): T {
  if (typeof value === 'string') return value.replace(UNSTORABLE, '\uFFFD') as T;
  if (typeof value === 'number') return (Number.isFinite(value) ? value : null) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sanitizeForJsonb) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[sanitizeForJsonb(k)] = sanitizeForJsonb(v);
  return out as T;
}
