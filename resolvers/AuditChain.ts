// Query.auditChain: the chain verified with the server's key and anchors, as `switchyard audit
// verify` would, by a walk that started at checkedAt (shared by callers: src/plugins/audit/check.ts).
import type { AuditChainStatus } from '../src/generated/graphql.ts';
import type { Context } from '../src/context.ts';
import { ErrorCode, codedError } from '../src/errors/index.ts';

export async function auditChain(_parent: unknown, _args: unknown, ctx: Context): Promise<AuditChainStatus> {
  const verify = ctx.services.auditChain;
  if (!verify) throw codedError(ErrorCode.UPSTREAM_UNAVAILABLE, 'This server keeps no audit trail to verify', { reason: 'no_audit' });
  const r = await verify();
  return {
    ok: r.ok,
    verified: r.verified,
    headSeq: r.head?.seq ?? null,
    macsChecked: r.macsChecked,
    anchorsChecked: r.anchorsChecked,
    brokenSeq: r.broken?.seq ?? null,
    brokenReason: r.broken?.reason ?? null,
    checkedAt: r.checkedAt,
  };
}
