// Walks the audit chain from its first record and names the first one that does not hold:
// a missing position, a link that does not match the record before it, a record whose content
// no longer matches its hash, an indexed column that disagrees with the record it indexes, a
// MAC that does not match (with the key: the hashes were recomputed after an edit), or a record
// that differs from an anchor kept outside the database. Anchors past the end of the chain mean
// its newest records were removed.
import { timingSafeEqual } from 'node:crypto';
import type { AuditRow, AuditStore } from '../../connectors/store/index.ts';
import { GENESIS_HASH, auditColumns } from '../../connectors/store/index.ts';
import { anchorMac, type Anchor } from './anchors.ts';
import { canonicalJson, chainSeal, linkHash } from './chain.ts';

export interface ChainBreak {
  seq: number;
  id: string | null;
  at: string | null;
  reason: string;
}

export interface VerifyOptions {
  /** AUDIT_HMAC_KEY: checks every row's MAC (from macsFrom on) and every anchor's. */
  key?: string;
  /** Rows (and anchors) before this seq were written before the key was set: their MACs are not required. */
  macsFrom?: number;
  anchors?: readonly Anchor[];
  pageSize?: number;
}

export interface VerifyResult {
  ok: boolean;
  /** Records that verified before the break (all of them when ok). */
  verified: number;
  /** The last record that verified. */
  head: { seq: number; hash: string } | null;
  /** Rows whose MAC was checked; null without a key. */
  macsChecked: number | null;
  /** Anchors found on the chain (all of them when ok). */
  anchorsChecked: number;
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

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function checkMac(row: AuditRow, seal: (seq: number, hash: string) => string): string | undefined {
  if (row.mac === null) return 'it has no MAC: it was written without AUDIT_HMAC_KEY, or its MAC was removed (see --macs-from)';
  if (!same(row.mac, seal(row.seq, row.hash)))
    return 'its MAC does not match: the record was rewritten and its hash recomputed (or it was written under another AUDIT_HMAC_KEY)';
  return undefined;
}

// Anchors of rows before macsFrom may predate the key too.
function forgedAnchor(anchors: readonly Anchor[], key: string | undefined, macsFrom: number): Anchor | undefined {
  if (!key) return undefined;
  return anchors.find((a) => a.seq >= macsFrom && (a.hmac === null || !same(a.hmac, anchorMac(key, a))));
}

export async function verifyChain(store: AuditStore, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const pageSize = opts.pageSize ?? 1_000;
  const seal = opts.key ? chainSeal(opts.key) : undefined;
  const macsFrom = opts.macsFrom ?? 1;
  const anchors = [...(opts.anchors ?? [])].sort((a, b) => a.seq - b.seq);
  let prev = GENESIS_HASH;
  let head: VerifyResult['head'] = null;
  let verified = 0;
  let macsChecked = 0;
  let anchorsChecked = 0;
  let next = 0; // the first anchor not yet passed
  const result = (broken?: ChainBreak): VerifyResult => ({
    ok: !broken,
    verified,
    head,
    macsChecked: seal ? macsChecked : null,
    anchorsChecked,
    ...(broken ? { broken } : {}),
  });

  const forged = forgedAnchor(anchors, opts.key, macsFrom);
  if (forged) {
    return result({
      seq: forged.seq,
      id: null,
      at: forged.at,
      reason: `the anchor for it (written ${forged.at}) is not signed by this AUDIT_HMAC_KEY: the anchor file was edited`,
    });
  }
  for (;;) {
    const rows = await store.scan(head?.seq ?? 0, pageSize);
    for (const row of rows) {
      let reason = check(row, verified + 1, prev);
      if (!reason && seal && row.seq >= macsFrom) reason = checkMac(row, seal);
      for (; !reason && next < anchors.length && anchors[next]!.seq <= row.seq; next++) {
        const a = anchors[next]!;
        if (a.seq === row.seq && a.hash !== row.hash)
          reason = `it differs from the anchor written ${a.at}: the chain up to this record was rewritten (hashes recomputed)`;
        else anchorsChecked++;
      }
      if (reason) {
        const record = row.record as Partial<AuditRow['record']> | null;
        return result({ seq: row.seq, id: record?.id ?? null, at: record?.at ?? null, reason });
      }
      if (seal && row.seq >= macsFrom) macsChecked++;
      prev = row.hash;
      head = { seq: row.seq, hash: row.hash };
      verified++;
    }
    if (rows.length < pageSize) break;
  }
  const beyond = anchors.at(-1);
  if (beyond && beyond.seq > (head?.seq ?? 0)) {
    const from = (head?.seq ?? 0) + 1;
    return result({
      seq: from,
      id: null,
      at: null,
      reason: `records ${from}..${beyond.seq} are missing: the anchor written ${beyond.at} saw the chain reach seq ${beyond.seq}, so its newest records were removed`,
    });
  }
  return result();
}
