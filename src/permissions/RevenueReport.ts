// Query.revenueReport (see Query): operators' figures.
import type { RevenueReport as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const RevenueReport: TypePolicy<Fields> = {
  from: read,
  to: read,
  currency: read,
  days: read,
  totals: read,
};
