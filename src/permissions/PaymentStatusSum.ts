// One group of Query.paymentsReport (see Query).
import type { PaymentStatusSum as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const PaymentStatusSum: TypePolicy<Fields> = {
  status: read,
  currency: read,
  payments: read,
  amount: read,
  refunded: read,
};
