// One day of Query.revenueReport (see Query).
import type { RevenueDay as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const RevenueDay: TypePolicy<Fields> = {
  day: read,
  currency: read,
  gross: read,
  refunded: read,
  net: read,
  payments: read,
};
