// A customer record. Email and name are personal data (pii:read); each edge to another system
// needs that system's read scope.
import type { Customer as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const own = { own: 'customer' } as const;

export const Customer: TypePolicy<Fields> = {
  id: policy('customers:read', own),
  createdAt: policy('customers:read', own),
  linkStatus: policy('customers:read', own),
  linkReason: policy('customers:read', own),
  email: policy('customers:read', own, { pii: true }),
  name: policy('customers:read', own, { pii: true }),
  payments: policy('payments:read', own),
  totalPaid: policy('payments:read', own),
  crmContact: policy('crm:read', own),
};
