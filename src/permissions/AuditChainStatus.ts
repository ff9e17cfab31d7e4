// The audit chain's verification (Query.auditChain): audit:read, like the trail itself.
import type { AuditChainStatus as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('audit:read', 'deny');

export const AuditChainStatus: TypePolicy<Fields> = {
  ok: read,
  verified: read,
  headSeq: read,
  macsChecked: read,
  anchorsChecked: read,
  brokenSeq: read,
  brokenReason: read,
  checkedAt: read,
};
