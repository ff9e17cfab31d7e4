// The payments domain as the graph sees it: what a payments module implements.
import type { ConnectorInfo, IdFormat } from './info.ts';

export interface Money {
  /** Minor units (cents). */
  amount: number;
  /** Lower-case ISO 4217 code. */
  currency: string;
}

export interface PaymentRecord {
  id: string;
  amount: Money;
  amountRefunded: number;
  status: string;
  description: string | null;
  createdAt: Date;
  /** The provider's customer id, not Switchyard's. */
  providerCustomerId: string | null;
  /** Every refund of the payment, newest first, when they came with it; absent when they must be listed. */
  refunds?: RefundRecord[];
}

export interface RefundRecord {
  id: string;
  paymentId: string;
  amount: Money;
  status: string;
  reason: string | null;
  createdAt: Date;
}

export interface PaymentPage {
  items: PaymentRecord[];
  hasNextPage: boolean;
}

export interface PaymentPageRequest {
  providerCustomerId: string;
  first: number;
  after?: string | null;
}

export interface ProviderCustomer {
  id: string;
  email: string | null;
  name: string | null;
  /** The Switchyard customer it was created for, when Switchyard created it. */
  customerId: string | null;
}

/** One page of a full listing, in the provider's order; `next` continues it (null: the listing is done). */
export interface ListingPage<T> {
  items: T[];
  next: string | null;
}

/** A provider customer as a full listing shows it (import, reconciliation). */
export interface ListedProviderCustomer extends ProviderCustomer {
  name: string | null;
  createdAt: Date;
}

export interface PaymentsConnector extends ConnectorInfo {
  /** What the provider's payment ids look like. */
  readonly paymentIds: IdFormat;
  /** `idempotencyKey`: a retry with the same key makes no second customer (default: one derived from customerId). */
  createCustomer(input: { email: string; name: string | null; customerId: string; idempotencyKey?: string }): Promise<{ id: string }>;
  /**
   * The provider's customers with this email, oldest first, read from a list that shows writes at
   * once (never a lagging search index); `customerId` is the Switchyard customer one was created for.
   */
  findCustomersByEmail(email: string): Promise<ProviderCustomer[]>;
  deleteCustomer(providerCustomerId: string): Promise<void>;
  /** The customer as the provider has it now, past any cached read; null when it is gone (deleted). */
  readCustomer(providerCustomerId: string): Promise<ProviderCustomer | null>;
  /**
   * Sets the given values (an omitted one is left; a null name clears it), with `idempotencyKey`
   * so a retried write acts once; the customer as it is afterwards.
   */
  updateCustomer(providerCustomerId: string, changes: { email?: string; name?: string | null }, idempotencyKey: string): Promise<ProviderCustomer>;
  /**
   * Every customer the provider has, a page at a time (at most `limit`), from the list that shows
   * writes at once; `after` is the previous page's `next`. Never cached: it is what is there now.
   */
  listCustomers(after: string | null, limit: number): Promise<ListingPage<ListedProviderCustomer>>;
  /** Every payment the provider has, with the amount refunded, a page at a time, as listCustomers. */
  listPayments(after: string | null, limit: number): Promise<ListingPage<PaymentRecord>>;
  /** Null when the provider has no such payment; an Error for a payment that could not be read. */
  getPayments(ids: readonly string[]): Promise<(PaymentRecord | null | Error)[]>;
  /** One page per request, in request order, using the provider's batched route where it has one. */
  pagesForCustomers(requests: readonly PaymentPageRequest[]): Promise<PaymentPage[]>;
  /** Net amount paid per currency (succeeded payments less refunds), per customer, in order. */
  totalsForCustomers(providerCustomerIds: readonly string[]): Promise<Money[][]>;
  /** Every refund of each payment, newest first, in order; an Error for a payment whose refunds could not be read. */
  refundsForPayments(paymentIds: readonly string[]): Promise<(RefundRecord[] | Error)[]>;
  createPayment(input: {
    providerCustomerId: string;
    amount: Money;
    description: string | null;
    /** Confirms at once with this payment method; without it the payment awaits one. */
    paymentMethod?: string | null;
    idempotencyKey: string;
  }): Promise<PaymentRecord>;
  refundPayment(input: { paymentId: string; amount: number | null; reason: string | null; idempotencyKey: string }): Promise<RefundRecord>;
  /** Tells the connector that this customer's payments changed, so reads see it at once. */
  noteWrite(providerCustomerId: string): Promise<void>;
}

/**
 * What a customer has paid: succeeded payments less their refunds, per currency, currencies in
 * alphabetical order. The one definition of "total paid", for the graph's `totalPaid` (from the
 * provider) and the workflows' (from the store's mirror of payments).
 */
export function netPaid(payments: Iterable<{ status: string; amount: number; currency: string; amountRefunded: number }>): Money[] {
  const sums = new Map<string, number>();
  for (const p of payments) {
    if (p.status !== 'succeeded') continue;
    sums.set(p.currency, (sums.get(p.currency) ?? 0) + p.amount - p.amountRefunded);
  }
  return [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ amount, currency }));
}
