// Fresh DataLoaders per request, one per cross-system edge: each collects the keys of one tick
// and makes the fewest upstream calls the connector allows (see each connector's batch method).
// A key with no object loads as a NotFoundError (DataLoader's contract: an Error per key); the
// resolvers decide whether that is a null or NOT_FOUND, as the schema says.
import DataLoader from 'dataloader';
import { NotFoundError } from '../errors/notFound.ts';
import type { Connectors } from './index.ts';
import type { CustomerRecord } from './store/index.ts';
import type { Money, PaymentPage, PaymentPageRequest, PaymentRecord, RefundRecord } from './domain/payments.ts';
import type { CrmContactRecord } from './domain/crm.ts';

export interface Loaders {
  customerById: DataLoader<string, CustomerRecord>;
  customerByPaymentsId: DataLoader<string, CustomerRecord>;
  customerByCrmId: DataLoader<string, CustomerRecord>;
  paymentById: DataLoader<string, PaymentRecord>;
  paymentPage: DataLoader<PaymentPageRequest, PaymentPage, string>;
  totalPaid: DataLoader<string, Money[]>;
  refundsByPayment: DataLoader<string, RefundRecord[]>;
  crmContactById: DataLoader<string, CrmContactRecord>;
  /** Seeds the customer loaders with records read another way (e.g. a list page). */
  primeCustomers(records: readonly (CustomerRecord | null)[]): void;
}

/** A batch function whose misses are nulls, as one whose misses are NotFoundErrors. */
function found<T>(kind: string, batch: (ids: readonly string[]) => Promise<readonly (T | null | Error)[]>) {
  return async (ids: readonly string[]): Promise<(T | Error)[]> => (await batch(ids)).map((v, i) => v ?? new NotFoundError(kind, ids[i]!));
}

export function createLoaders({ store, payments, crm }: Connectors): Loaders {
  const customerById = new DataLoader(found('customer', (ids) => store.customers.byIds(ids)));
  const customerByPaymentsId = new DataLoader(found('customer', (ids) => store.customers.byPaymentsIds(ids)));
  const customerByCrmId = new DataLoader(found('customer', (ids) => store.customers.byCrmIds(ids)));
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
    paymentById: new DataLoader(found('payment', (ids) => payments.getPayments(ids))),
    paymentPage: new DataLoader((requests) => payments.pagesForCustomers(requests), {
      cacheKeyFn: (r) => `${r.providerCustomerId}|${r.first}|${r.after ?? ''}`,
    }),
    totalPaid: new DataLoader((ids) => payments.totalsForCustomers(ids)),
    refundsByPayment: new DataLoader((ids) => payments.refundsForPayments(ids)),
    crmContactById: new DataLoader(found('contact', (ids) => crm.getContacts(ids))),
    primeCustomers,
  };
}
