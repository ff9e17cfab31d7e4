// An entry of a payments page (see PaymentConnection); each node is a Payment, checked there.
import type { PaymentEdge as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

export const PaymentEdge: TypePolicy<Fields> = {
  cursor: policy('payments:read', 'reached'),
  node: policy('payments:read', 'reached'),
};
