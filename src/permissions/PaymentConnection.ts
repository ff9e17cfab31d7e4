// A customer's payments page: reached through Customer.payments, which checked the customer.
import type { PaymentConnection as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

export const PaymentConnection: TypePolicy<Fields> = {
  edges: policy('payments:read', 'reached'),
  pageInfo: policy('payments:read', 'reached'),
};
