// What an event changed, applied to the store and the caches. Every change is the object's
// current state (the connector re-read it), so applying it twice, or an older event after a newer
// one, leaves the same result: the effect happens once however often an event is delivered.
import type { Logger } from 'pino';
import type { Connectors } from '../connectors/index.ts';
import type { DomainChange } from '../connectors/domain/events.ts';
import type { PaymentsConnector } from '../connectors/domain/payments.ts';
import { mirrorOf } from '../connectors/store/index.ts';

export async function applyChanges(connectors: Connectors, provider: string, changes: readonly DomainChange[], logger: Logger): Promise<void> {
  for (const change of changes) await applyOne(connectors, provider, change, logger);
}

function paymentsOf(connectors: Connectors, provider: string): PaymentsConnector {
  const entry = connectors.configured.find((c) => c.config.name === provider && c.config.kind === 'payments');
  return (entry?.built[0] as PaymentsConnector | undefined) ?? connectors.payments;
}

async function applyOne(connectors: Connectors, provider: string, change: DomainChange, logger: Logger): Promise<void> {
  const { store } = connectors;
  switch (change.kind) {
    case 'payment': {
      const p = change.payment;
      await store.payments.upsert(mirrorOf(provider, p));
      // The customer's payment pages and totals are read again (and past the search index's lag).
      if (p.providerCustomerId) await paymentsOf(connectors, provider).noteWrite(p.providerCustomerId);
      return;
    }
    case 'paymentsCustomer': {
      const [customer] = await store.customers.byPaymentsIds([change.providerCustomerId]);
      if (change.deleted && customer) {
        await store.customers.updateLinks(customer.id, {
          paymentsCustomerId: null,
          linkStatus: 'needs_repair',
          linkError: 'its payments customer was deleted upstream',
        });
        logger.warn({ customerId: customer.id, providerCustomerId: change.providerCustomerId }, 'payments customer deleted upstream; customer needs repair');
      }
      await paymentsOf(connectors, provider).noteWrite(change.providerCustomerId);
      return;
    }
    case 'contact': {
      const [linked] = await store.customers.byCrmIds([change.contactId]);
      if (change.deleted) {
        if (linked) {
          await store.customers.updateLinks(linked.id, { crmContactId: null, linkStatus: 'needs_repair', linkError: 'its CRM contact was deleted upstream' });
          logger.warn({ customerId: linked.id, contactId: change.contactId }, 'CRM contact deleted upstream; customer needs repair');
        }
        return;
      }
      // The reports count customers by their contact's stage as the CRM has it now.
      if (linked && change.contact) await store.customers.setCrmLifecycleStage(linked.id, change.contactId, change.contact.lifecycleStage);
      // A contact made in the CRM for a customer of ours that has none yet: linked by its email
      // (guarded in the store: a customer whose run is linking it is the run's to link).
      const email = change.contact?.email?.toLowerCase();
      if (!linked && email) {
        const customer = await store.customers.byEmail(email);
        if (customer && !customer.crmContactId) await store.customers.adoptCrmContact(customer.id, change.contactId, change.contact?.lifecycleStage ?? null);
      }
      return;
    }
  }
}
