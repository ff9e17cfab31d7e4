// A payment. The customer role sees only payments of its own customer.
import type { Payment as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('payments:read', { own: 'payment' });

export const Payment: TypePolicy<Fields> = {
  id: read,
  amount: read,
  amountRefunded: read,
  status: read,
  description: read,
  createdAt: read,
  // The customer's own fields need customers:read (see Customer).
  customer: read,
  refunds: read,
};
