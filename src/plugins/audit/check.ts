// The audit chain checked by the running server (Query.auditChain), the way `switchyard audit
// verify` checks it with no flags (cli.ts): the server's AUDIT_HMAC_KEY, every row's MAC
// required, and the anchors of AUDIT_ANCHOR_FILE when it exists. The file is read on each check:
// the server appends to it as the chain grows.
import { existsSync } from 'node:fs';
import type { AuditStore } from '../../connectors/store/index.ts';
import { readAnchors } from './anchors.ts';
import { verifyChain, type VerifyResult } from './verify.ts';

export interface ChainCheckOptions {
  hmacKey?: string;
  anchorFile: string;
}

export function chainChecker(store: AuditStore, o: ChainCheckOptions): () => Promise<VerifyResult> {
  return () => verifyChain(store, { key: o.hmacKey, macsFrom: 1, anchors: existsSync(o.anchorFile) ? readAnchors(o.anchorFile).anchors : [] });
}
