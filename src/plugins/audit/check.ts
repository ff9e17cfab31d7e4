// The audit chain checked by the running server (Query.auditChain), the way `switchyard audit
// verify` checks it with no flags (cli.ts): the server's AUDIT_HMAC_KEY, every row's MAC
// required, and the anchors of AUDIT_ANCHOR_FILE when it exists. The file is read on each check:
// the server appends to it as the chain grows.
//
// A check walks the whole trail (one read and one hash per record), so callers share walks:
// calls while one runs wait for it, and a walk that started less than AUDIT_CHAIN_REUSE_MS ago is
// answered again, with the time it started. The console's audit page, open in several browsers,
// then costs one walk per interval instead of one per view.
import { existsSync } from 'node:fs';
import type { AuditStore } from '../../connectors/store/index.ts';
import { readAnchors } from './anchors.ts';
import { verifyChain, type VerifyResult } from './verify.ts';

export interface ChainCheckOptions {
  hmacKey?: string;
  anchorFile: string;
  /** A walk that started this recently is answered again (0: every call walks; concurrent calls still share one). */
  chainReuseMs?: number;
}

export interface ChainCheck extends VerifyResult {
  /** When the walk that gave this result started. */
  checkedAt: Date;
}

export function chainChecker(store: AuditStore, o: ChainCheckOptions): () => Promise<ChainCheck> {
  const reuseMs = o.chainReuseMs ?? 0;
  let running: Promise<ChainCheck> | undefined;
  let last: ChainCheck | undefined;
  const walk = async (): Promise<ChainCheck> => {
    const checkedAt = new Date();
    const anchors = existsSync(o.anchorFile) ? readAnchors(o.anchorFile).anchors : [];
    return { ...(await verifyChain(store, { key: o.hmacKey, macsFrom: 1, anchors })), checkedAt };
  };
  return () => {
    if (last && Date.now() - last.checkedAt.getTime() < reuseMs) return Promise.resolve(last);
    // A failed walk (the store is down) is not kept: the next call tries again.
    running ??= walk()
      .then((result) => (last = result))
      .finally(() => (running = undefined));
    return running;
  };
}
