// An entry of the customers list (see CustomerConnection).
import type { CustomerEdge as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

export const CustomerEdge: TypePolicy<Fields> = {
  cursor: policy('customers:read', 'deny'),
  node: policy('customers:read', 'deny'),
};
