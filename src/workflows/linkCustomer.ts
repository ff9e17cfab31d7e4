// linkCustomer repairs a store customer that lacks a link (an import of a record that exists in
// one system only, a reconciliation's missing or broken link, a row left PROVISIONING by a crash
// before createCustomer was durable): it finds or creates what is missing, by email, and links it.
//   payments  the linked payments customer, else found or created (links.ts)
//   crm       the linked CRM contact, else found or created
//   link      both ids on the row, status LINKED
// A repair only adds: nothing is undone when a step fails for good (what it found or made is
// real and stays); the row is left NEEDS_REPAIR with the reason, and the run asks for a person.
import { z } from 'zod';
import { codedError, ErrorCode } from '../errors/index.ts';
import type { Connectors } from '../connectors/index.ts';
import type { CustomerRecord } from '../connectors/store/index.ts';
import { findOrCreateCrmContact, findOrCreatePaymentsCustomer, linkBoth, linkedSummary } from './links.ts';
import { defineWorkflow } from './types.ts';

const Input = z.object({ customerId: z.string().min(1), reason: z.string().max(500) });
type Input = z.infer<typeof Input>;

async function customerOf(connectors: Connectors, id: string): Promise<CustomerRecord> {
  const [customer] = await connectors.store.customers.byIds([id]);
  if (!customer) throw codedError(ErrorCode.NOT_FOUND, `Customer ${id} no longer exists`, { field: 'customerId' });
  return customer;
}

export const linkCustomerWorkflow = defineWorkflow<Input>({
  name: 'linkCustomer',
  input: Input,
  subject: (i) => i.customerId,
  // One open repair per customer is enough whatever its reason.
  digestOf: (i) => ({ customerId: i.customerId }),
  steps: [
    {
      name: 'payments',
      run: async ({ input, connectors, idempotencyKey }) => {
        const c = await customerOf(connectors, input.customerId);
        if (c.paymentsCustomerId) return { id: c.paymentsCustomerId, created: false };
        return findOrCreatePaymentsCustomer(connectors, { customerId: c.id, email: c.email, name: c.name, idempotencyKey });
      },
      summary: (r) => linkedSummary('payments customer', r),
    },
    {
      name: 'crm',
      run: async ({ input, connectors }) => {
        const c = await customerOf(connectors, input.customerId);
        if (c.crmContactId) return { id: c.crmContactId, created: false };
        return findOrCreateCrmContact(connectors, { customerId: c.id, email: c.email, name: c.name });
      },
      summary: (r) => linkedSummary('CRM contact', r),
    },
    {
      name: 'link',
      run: ({ input, results, connectors }) => linkBoth(connectors, input.customerId, results),
    },
  ],
  hooks: {
    pending: ({ input, connectors }, reason) => connectors.store.customers.setPending(input.customerId, `repair (${input.reason}): ${reason}`),
    needsAttention: async ({ input, connectors }, reason) => {
      const [c] = await connectors.store.customers.byIds([input.customerId]);
      if (c) await connectors.store.customers.updateLinks(c.id, { linkStatus: 'needs_repair', linkError: `repair (${input.reason}) failed: ${reason}` });
    },
  },
});
