// One group of Query.aiUsage (see Query).
import type { AiUsageGroup as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const AiUsageGroup: TypePolicy<Fields> = {
  capability: read,
  provider: read,
  model: read,
  principalId: read,
  day: read,
  totals: read,
};
