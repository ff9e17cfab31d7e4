// Query.paymentsReport (see Query): operators' figures.
import type { PaymentsReport as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const PaymentsReport: TypePolicy<Fields> = {
  from: read,
  to: read,
  groups: read,
};
