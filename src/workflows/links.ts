// The steps that link a store customer to its payments customer and CRM contact by email, shared
// by the workflows that do it (createCustomer for a new customer, linkCustomer to repair one):
// find before create, so no sequence of retries, crashes or repairs makes a second record.
import { z } from 'zod';
import type { Connectors } from '../connectors/index.ts';
import { ErrorCode, codedError } from '../errors/index.ts';

/** What a payments or crm step journals: the upstream id, and whether this run made it (only then is it undone). */
export const Linked = z.object({ id: z.string(), created: z.boolean() });
export type Linked = z.infer<typeof Linked>;
// The crm step's result also carries the contact's lifecycle stage, for the reports (absent in a
// run journaled before it did: the next contact event brings it then).
export const LinkedContact = Linked.extend({ stage: z.string().nullable().optional() });
export type LinkedContact = z.infer<typeof LinkedContact>;

export function splitName(name: string | null): { firstName: string | null; lastName: string | null } {
  if (!name) return { firstName: null, lastName: null };
  const [first, ...rest] = name.split(/\s+/);
  return { firstName: first ?? null, lastName: rest.length ? rest.join(' ') : null };
}

/**
 * The payments customer for this store customer: one made for it on an earlier attempt (its
 * answer lost, or its process killed), else one with the email that no customer links yet, else
 * a new one under the step's idempotency key.
 */
export async function findOrCreatePaymentsCustomer(
  connectors: Connectors,
  c: { customerId: string; email: string; name: string | null; idempotencyKey: string },
): Promise<Linked> {
  const { payments, store } = connectors;
  const found = await payments.findCustomersByEmail(c.email);
  const ours = found.find((f) => f.customerId === c.customerId);
  if (ours) return { id: ours.id, created: true };
  const owners = await store.customers.byPaymentsIds(found.map((f) => f.id));
  const free = found.find((_f, i) => !owners[i]);
  if (free) return { id: free.id, created: false };
  const made = await payments.createCustomer({ email: c.email, name: c.name, customerId: c.customerId, idempotencyKey: c.idempotencyKey });
  return { id: made.id, created: true };
}

/** The CRM contact with this email, found or created; one linked to another customer is a CONFLICT. */
export async function findOrCreateCrmContact(connectors: Connectors, c: { customerId: string; email: string; name: string | null }): Promise<LinkedContact> {
  const { contact, created } = await connectors.crm.findOrCreateContact({ email: c.email, ...splitName(c.name) });
  const [owner] = await connectors.store.customers.byCrmIds([contact.id]);
  if (owner && owner.id !== c.customerId)
    throw codedError(ErrorCode.CONFLICT, `The CRM contact with this email (${contact.id}) is linked to another customer (${owner.id})`, {
      field: 'input.email',
    });
  return { id: contact.id, created, stage: contact.lifecycleStage };
}

export function linkedSummary(what: string, result: unknown): string {
  const r = Linked.safeParse(result);
  return r.success ? `${what} ${r.data.id} (${r.data.created ? 'created' : 'found'})` : JSON.stringify(result);
}

/** The last step of both: the row gets the ids its payments and crm steps journaled, and is LINKED. */
export async function linkBoth(connectors: Connectors, customerId: string, results: Readonly<Record<string, unknown>>) {
  const payments = Linked.parse(results.payments);
  const crm = LinkedContact.parse(results.crm);
  await connectors.store.customers.updateLinks(customerId, {
    paymentsCustomerId: payments.id,
    crmContactId: crm.id,
    ...(crm.stage !== undefined ? { crmLifecycleStage: crm.stage } : {}),
    linkStatus: 'linked',
    linkError: null,
  });
  return { paymentsCustomerId: payments.id, crmContactId: crm.id };
}
