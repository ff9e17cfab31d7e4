// Query.aiUsage's report (see Query): operators' figures.
import type { AiUsageReport as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const AiUsageReport: TypePolicy<Fields> = {
  from: read,
  to: read,
  groups: read,
  totals: read,
  truncated: read,
};
