// The customers list: reached only through Query.customers, which the customer role cannot use.
import type { CustomerConnection as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

export const CustomerConnection: TypePolicy<Fields> = {
  edges: policy('customers:read', 'deny'),
  pageInfo: policy('customers:read', 'deny'),
  totalCount: policy('customers:read', 'deny'),
};
