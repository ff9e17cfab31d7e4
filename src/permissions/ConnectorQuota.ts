// A connector's outbound quota (see ConnectorStatus).
import type { ConnectorQuota as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const ConnectorQuota: TypePolicy<Fields> = {
  remaining: read,
  limit: read,
};
