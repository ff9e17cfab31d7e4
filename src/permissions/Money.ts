// An amount: part of a payment, a refund or a customer's totals, each checked where it is reached.
import type { Money as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

export const Money: TypePolicy<Fields> = {
  amount: policy('payments:read', 'reached'),
  currency: policy('payments:read', 'reached'),
  formatted: policy('payments:read', 'reached'),
};
