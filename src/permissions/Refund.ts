// A refund of a payment. The customer role sees only refunds of its own payments.
import type { Refund as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('payments:read', { own: 'refund' });

export const Refund: TypePolicy<Fields> = {
  id: read,
  amount: read,
  status: read,
  reason: read,
  createdAt: read,
  payment: read,
};
