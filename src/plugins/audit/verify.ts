// Walks the audit chain from its first record and names the first one that does not hold:
// a missing position, a link that does not match the record before it, a record whose content
// no longer matches its hash, or an indexed column that disagrees with the record it indexes.
import type { AuditRow, AuditStore } from '../../connectors/store/index.ts';
import { GENESIS_HASH, auditColumns } from '../../connectors/store/index.ts';
import { canonicalJson, linkHash } from './chain.ts';

export interface ChainBreak {
  seq: number;
  id: string | null;
  at: string | null;
  reason: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Records that verified before the break (all of them when ok). */
  verified: number;
  /** The last record that verified: compare with an external copy to catch a truncated tail. */
  head: { seq: number; hash: string } | null;
  broken?: ChainBreak;
}

function check(row: AuditRow, expectedSeq: number, prevHash: string): string | undefined {
  if (row.seq !== expectedSeq) {
    const missing = row.seq - expectedSeq === 1 ? `record ${expectedSeq} is missing` : `records ${expectedSeq}..${row.seq - 1} are missing`;
    return `${missing} (removed from the table)`;
  }
  if (row.prevHash !== prevHash) {
    return `its link does not match the hash of record ${row.seq - 1}: a record before it was altered (and its hash recomputed), removed or inserted`;
  }
  if (linkHash(prevHash, row.seq, row.record) !== row.hash) return 'its content does not match its hash: this record was altered';
  const expected = auditColumns(row.record) as Record<string, unknown>;
  const stored = row.columns as Record<string, unknown>;
  const column = Object.keys(expected).find((k) => canonicalJson(expected[k]) !== canonicalJson(stored[k]));
  if (column) return `its indexed column ${column} disagrees with the record: the row was altered`;
  return undefined;
}

export async function verifyChain(store: AuditStore, pageSize = 1_000): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let head: VerifyResult['head'] = null;
  let verified = 0;
  for (;;) {
    const rows = await store.scan(head?.seq ?? 0, pageSize);
    for (const row of rows) {
      const reason = check(row, verified + 1, prev);
      if (reason) {
        const record = row.record as Partial<AuditRow['record']> | null;
        return { ok: false, verified, head, broken: { seq: row.seq, id: record?.id ?? null, at: record?.at ?? null, reason } };
      }
      prev = row.hash;
      head = { seq: row.seq, hash: row.hash };
      verified++;
    }
    if (rows.length < pageSize) return { ok: true, verified, head };
  }
}
