// A CRM contact. Names and email are personal data (pii:read); the customer role sees only
// the contact linked to its own customer.
import type { CrmContact as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const own = { own: 'contact' } as const;

export const CrmContact: TypePolicy<Fields> = {
  id: policy('crm:read', own),
  email: policy('crm:read', own, { pii: true }),
  firstName: policy('crm:read', own, { pii: true }),
  lastName: policy('crm:read', own, { pii: true }),
  company: policy('crm:read', own),
  lifecycleStage: policy('crm:read', own),
  updatedAt: policy('crm:read', own),
  // The customer's own fields need customers:read (see Customer).
  customer: policy('crm:read', own),
};
