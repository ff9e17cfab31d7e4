// Fresh DataLoaders per request, one per cross-system edge: each collects the keys of one tick
// and makes the fewest upstream calls the connector allows (see each connector's batch method).
import DataLoader from 'dataloader';
import type { Connectors } from './index.ts';
import type { CustomerRecord } from './store/index.ts';
import type { Money, PaymentPage, PaymentPageRequest, PaymentRecord, RefundRecord } from './domain/payments.ts';
import type { CrmContactRecord } from './domain/crm.ts';

export interface Loaders {
  customerById: DataLoader<string, CustomerRecord | null>;
  customerByPaymentsId: DataLoader<string, CustomerRecord | null>;
  customerByCrmId: DataLoader<string, CustomerRecord | null>;
  paymentById: DataLoader<string, PaymentRecord | null>;
  paymentPage: DataLoader<PaymentPageRequest, PaymentPage, string>;
  totalPaid: DataLoader<string, Money[]>;
  refundsByPayment: DataLoader<string, RefundRecord[]>;
  crmContactById: DataLoader<string, CrmContactRecord | null>;
  /** Seeds the customer loaders with records read another way (e.g. a list page). */
  primeCustomers(records: readonly (CustomerRecord | null)[]): void;
}

export function createLoaders({ store, payments, crm }: Connectors): Loaders {
  const customerById = new DataLoader<string, CustomerRecord | null>((ids) => store.customers.byIds(ids));
  const customerByPaymentsId = new DataLoader<string, CustomerRecord | null>((ids) => store.customers.byPaymentsIds(ids));
  const customerByCrmId = new DataLoader<string, CustomerRecord | null>((ids) => store.customers.byCrmIds(ids));
  // A customer read once also answers later lookups by its payments or CRM id in this request.
  const primeCustomers = (records: readonly (CustomerRecord | null)[]) => {
    for (const c of records) {
      if (!c) continue;
      customerById.prime(c.id, c);
      if (c.paymentsCustomerId) customerByPaymentsId.prime(c.paymentsCustomerId, c);
      if (c.crmContactId) customerByCrmId.prime(c.crmContactId, c);
    }
  };
  return {
    customerById,
    customerByPaymentsId,
    customerByCrmId,
    paymentById: new DataLoader((ids) => payments.getPayments(ids)),
    paymentPage: new DataLoader((requests) => payments.pagesForCustomers(requests), {
      cacheKeyFn: (r) => `${r.providerCustomerId}|${r.first}|${r.after ?? ''}`,
    }),
    totalPaid: new DataLoader((ids) => payments.totalsForCustomers(ids)),
    refundsByPayment: new DataLoader((ids) => payments.refundsForPayments(ids)),
    crmContactById: new DataLoader((ids) => crm.getContacts(ids)),
    primeCustomers,
  };
}
