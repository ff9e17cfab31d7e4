// One currency's total of Query.revenueReport (see Query).
import type { RevenueTotal as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const RevenueTotal: TypePolicy<Fields> = {
  currency: read,
  gross: read,
  refunded: read,
  net: read,
  payments: read,
};
