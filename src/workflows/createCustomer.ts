// createCustomer spans three systems with no shared transaction, so it is a small saga:
// record first (status provisioning), then the payments provider, then the CRM, then mark linked. A failed step
// undoes the earlier ones; if an undo fails too, the record stays with status needs_repair and
// both external ids, so nothing is left half-linked and silent.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Connectors } from '../connectors/index.ts';
import type { CustomerRecord } from '../connectors/store/index.ts';
import type { CrmContactRecord } from '../connectors/domain/crm.ts';
import { UpstreamError } from '../errors/upstream.ts';

export function newCustomerId(): string {
  return `cust_${randomBytes(12).toString('hex')}`;
}

function splitName(name: string | null): { firstName: string | null; lastName: string | null } {
  if (!name) return { firstName: null, lastName: null };
  const [first, ...rest] = name.split(/\s+/);
  return { firstName: first ?? null, lastName: rest.length ? rest.join(' ') : null };
}

async function linkCrmContact(c: Connectors, email: string, name: string | null): Promise<{ contact: CrmContactRecord; created: boolean }> {
  try {
    return { contact: await c.crm.createContact({ email, ...splitName(name) }), created: true };
  } catch (err) {
    // The CRM already knows this email: link that contact unless another customer owns it.
    if (!(err instanceof UpstreamError && err.kind === 'conflict')) throw err;
    const existing = await c.crm.findByEmail(email);
    if (!existing) throw err;
    const [owner] = await c.store.customers.byCrmIds([existing.id]);
    if (owner) throw err;
    return { contact: existing, created: false };
  }
}

export async function createCustomer(c: Connectors, logger: Logger, input: { email: string; name: string | null }): Promise<CustomerRecord> {
  const record = await c.store.customers.insert({ id: newCustomerId(), email: input.email, name: input.name });
  let paymentsId: string | undefined;
  try {
    paymentsId = (await c.payments.createCustomer({ email: input.email, name: input.name, customerId: record.id })).id;
    const { contact } = await linkCrmContact(c, input.email, input.name);
    return await c.store.customers.updateLinks(record.id, { paymentsCustomerId: paymentsId, crmContactId: contact.id, linkStatus: 'linked', linkError: null });
  } catch (err) {
    await undo(c, logger, record.id, paymentsId, err);
    throw err;
  }
}

async function undo(c: Connectors, logger: Logger, id: string, paymentsId: string | undefined, cause: unknown): Promise<void> {
  try {
    if (paymentsId) await c.payments.deleteCustomer(paymentsId);
    await c.store.customers.delete(id);
    logger.warn({ customerId: id, paymentsCustomerId: paymentsId, err: cause }, 'createCustomer failed; earlier steps undone');
  } catch (undoErr) {
    const reason = `create failed (${(cause as Error).message}); undo failed (${(undoErr as Error).message})`;
    logger.error({ customerId: id, paymentsCustomerId: paymentsId, err: undoErr }, 'createCustomer undo failed; customer marked needs_repair');
    await c.store.customers
      .updateLinks(id, { paymentsCustomerId: paymentsId ?? null, linkStatus: 'needs_repair', linkError: reason })
      .catch((markErr: unknown) => logger.error({ customerId: id, err: markErr }, 'could not mark customer needs_repair'));
  }
}
