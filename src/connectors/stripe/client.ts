// PaymentsConnector on the official `stripe` SDK. Every call goes through the pipeline; the SDK's
// own retries are off so the pipeline is the one retry owner.
import type Stripe from 'stripe';
import { loadStripeSdk } from './sdk.ts';
import type { ConnectorMode } from '../domain/info.ts';
import type {
  ListedProviderCustomer,
  ListingPage,
  Money,
  PaymentPage,
  ProviderCustomer,
  PaymentPageRequest,
  PaymentRecord,
  PaymentsConnector,
  RefundRecord,
} from '../domain/payments.ts';
import { currentCallSignal, type Pipeline } from '../../pipeline/index.ts';
import { customerTag, paymentTag } from './tags.ts';
import { classifyStripeError } from './errors.ts';
import {
  CustomerFieldsSchema,
  CustomerList,
  CustomerOrDeletedSchema,
  CustomerSchema,
  DeletedSchema,
  PAYMENT_EXPAND,
  PaymentIntentList,
  PaymentIntentSchema,
  PAYMENT_LISTING_EXPAND,
  RefundList,
  RefundSchema,
  toPayment,
  toProviderCustomer,
  toRefund,
} from './mapping.ts';
import { StripeBatchReader } from './batch.ts';

export interface StripeConnectorOptions {
  /** The instance's name: its breaker, quota and cache namespace. */
  name: string;
  secretKey: string;
  baseUrl: string;
  mode: ConnectorMode;
  pipeline: Pipeline;
}

// stripe-node takes no AbortSignal per request; its fetch client does take a fetch function, so
// the pipeline's deadline (kept in AsyncLocalStorage for the call in progress) reaches the socket.
const fetchWithCallSignal: typeof fetch = (input, init) => {
  const signal = currentCallSignal();
  const signals = [init?.signal, signal].filter((s): s is AbortSignal => !!s);
  return fetch(input, { ...init, signal: signals.length ? AbortSignal.any(signals) : undefined });
};

/** The SDK client, once its module has loaded (see sdk.ts). */
export async function createStripeClient(secretKey: string, baseUrl: string): Promise<Stripe> {
  const Stripe = await loadStripeSdk();
  const url = new URL(baseUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(secretKey, {
    host: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
    maxNetworkRetries: 0,
    httpClient: Stripe.createFetchHttpClient(fetchWithCallSignal),
    appInfo: { name: 'switchyard' },
  });
}

/** Stripe's lists take 1 to 100 items a page. */
const clampPage = (limit: number): number => Math.min(100, Math.max(1, Math.floor(limit)));

export class StripePaymentsConnector implements PaymentsConnector {
  readonly name: string;
  readonly paymentIds = { pattern: /^pi_[A-Za-z0-9]{4,255}$/, example: 'pi_…' };
  readonly mode: ConnectorMode;
  readonly baseUrl: string;
  private client: Promise<Stripe> | undefined;
  private readonly secretKey: string;
  private readonly call: ReturnType<Pipeline['for']>;
  private readonly batch: StripeBatchReader;
  private readonly pipeline: Pipeline;

  constructor(options: StripeConnectorOptions) {
    this.name = options.name;
    this.mode = options.mode;
    this.baseUrl = options.baseUrl;
    this.secretKey = options.secretKey;
    this.pipeline = options.pipeline;
    this.call = options.pipeline.for(this.name, (err, operation) => classifyStripeError(err, operation, this.name));
    this.batch = new StripeBatchReader(() => this.stripe(), this.call, options.pipeline.marks);
  }

  /** The SDK client, made at the first call. */
  private stripe(): Promise<Stripe> {
    return (this.client ??= createStripeClient(this.secretKey, this.baseUrl));
  }

  async createCustomer(input: { email: string; name: string | null; customerId: string; idempotencyKey?: string }): Promise<{ id: string }> {
    const params = { email: input.email, name: input.name ?? undefined, metadata: { switchyard_id: input.customerId } };
    // Keyed on our own id (or the caller's key): a retried createCustomer never makes a second Stripe customer.
    const key = input.idempotencyKey ?? `switchyard-customer-${input.customerId}`;
    return this.call('customers.create', { idempotent: true, schema: CustomerSchema }, async () =>
      (await this.stripe()).customers.create(params, { idempotencyKey: key }),
    );
  }

  async findCustomersByEmail(email: string): Promise<ProviderCustomer[]> {
    // The list, not the search API: search lags writes by up to a minute (STACK-NOTES), and a
    // customer created a moment ago by a run that then crashed must be found.
    const page = await this.call('customers.list', { idempotent: true, schema: CustomerList }, async () =>
      (await this.stripe()).customers.list({ email, limit: 100 }),
    );
    return page.data
      .sort((a, b) => a.created - b.created)
      .map((c) => ({ id: c.id, email: c.email ?? null, name: c.name ?? null, customerId: c.metadata?.switchyard_id ?? null }));
  }

  async listCustomers(after: string | null, limit: number): Promise<ListingPage<ListedProviderCustomer>> {
    const page = await this.call('customers.list', { idempotent: true, schema: CustomerList }, async () =>
      (await this.stripe()).customers.list({ limit: clampPage(limit), ...(after ? { starting_after: after } : {}) }),
    );
    const items = page.data.map((c) => ({
      id: c.id,
      email: c.email ?? null,
      name: c.name ?? null,
      customerId: c.metadata?.switchyard_id ?? null,
      createdAt: new Date(c.created * 1000),
    }));
    return { items, next: page.has_more ? (page.data.at(-1)?.id ?? null) : null };
  }

  async listPayments(after: string | null, limit: number): Promise<ListingPage<PaymentRecord>> {
    const page = await this.call('paymentIntents.list', { idempotent: true, schema: PaymentIntentList }, async () =>
      (await this.stripe()).paymentIntents.list({ limit: clampPage(limit), expand: [...PAYMENT_LISTING_EXPAND], ...(after ? { starting_after: after } : {}) }),
    );
    return { items: page.data.map(toPayment), next: page.has_more ? (page.data.at(-1)?.id ?? null) : null };
  }

  async deleteCustomer(id: string): Promise<void> {
    await this.call('customers.del', { idempotent: true, schema: DeletedSchema }, async () => (await this.stripe()).customers.del(id));
  }

  getPayments(ids: readonly string[]): Promise<(PaymentRecord | null | Error)[]> {
    // Stripe has no batch retrieve; the loader's batch becomes concurrent retrieves, and one that
    // fails (e.g. over quota) fails its own key only, as DataLoader takes an Error per key.
    return Promise.all(
      ids.map((id) =>
        this.call('paymentIntents.retrieve', { idempotent: true, schema: PaymentIntentSchema, cacheKey: id, tags: [paymentTag(id)] }, async () =>
          (await this.stripe()).paymentIntents.retrieve(id, { expand: [...PAYMENT_EXPAND] }),
        ).then(toPayment, (err: unknown) => {
          if ((err as { kind?: string }).kind === 'not_found') return null;
          return err instanceof Error ? err : new Error(String(err));
        }),
      ),
    );
  }

  pagesForCustomers(requests: readonly PaymentPageRequest[]): Promise<PaymentPage[]> {
    return this.batch.pages(requests);
  }

  totalsForCustomers(customerIds: readonly string[]): Promise<Money[][]> {
    return this.batch.totals(customerIds);
  }

  refundsForPayments(paymentIds: readonly string[]): Promise<(RefundRecord[] | Error)[]> {
    // Reached only for payments read without their refunds (a charge with more than one page of
    // them): every payment read embeds them (PAYMENT_EXPAND).
    return Promise.all(paymentIds.map((id) => this.allRefunds(id).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))))));
  }

  private async allRefunds(paymentId: string): Promise<RefundRecord[]> {
    const out: RefundRecord[] = [];
    let after: string | undefined;
    do {
      const cache = { cacheKey: `${paymentId}|${after ?? ''}`, tags: [paymentTag(paymentId)] };
      const page = await this.call('refunds.list', { idempotent: true, schema: RefundList, ...cache }, async () =>
        (await this.stripe()).refunds.list({ payment_intent: paymentId, limit: 100, ...(after ? { starting_after: after } : {}) }),
      );
      out.push(...page.data.map(toRefund));
      after = page.has_more ? page.data.at(-1)?.id : undefined;
    } while (after);
    return out;
  }

  async createPayment(input: {
    providerCustomerId: string;
    amount: Money;
    description: string | null;
    paymentMethod?: string | null;
    idempotencyKey: string;
  }): Promise<PaymentRecord> {
    const params: Stripe.PaymentIntentCreateParams = {
      amount: input.amount.amount,
      currency: input.amount.currency.toLowerCase(),
      customer: input.providerCustomerId,
      description: input.description ?? undefined,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      expand: [...PAYMENT_EXPAND],
      ...(input.paymentMethod ? { payment_method: input.paymentMethod, confirm: true } : {}),
    };
    const invalidates = [customerTag(input.providerCustomerId)];
    const pi = await this.call('paymentIntents.create', { idempotent: true, schema: PaymentIntentSchema, invalidates }, async () =>
      (await this.stripe()).paymentIntents.create(params, { idempotencyKey: input.idempotencyKey }),
    );
    await this.batch.noteWrite(input.providerCustomerId);
    return toPayment(pi);
  }

  async refundPayment(input: { paymentId: string; amount: number | null; reason: string | null; idempotencyKey: string }): Promise<RefundRecord> {
    const params: Stripe.RefundCreateParams = {
      payment_intent: input.paymentId,
      ...(input.amount !== null ? { amount: input.amount } : {}),
      ...(input.reason ? { reason: input.reason as Stripe.RefundCreateParams.Reason } : {}),
    };
    const refund = await this.call('refunds.create', { idempotent: true, schema: RefundSchema, invalidates: [paymentTag(input.paymentId)] }, async () =>
      (await this.stripe()).refunds.create(params, { idempotencyKey: input.idempotencyKey }),
    );
    return toRefund(refund);
  }

  /** The payment as Stripe has it now (an event said it changed): the cached read is dropped first. */
  async readPayment(id: string): Promise<PaymentRecord | null> {
    await this.pipeline.invalidate([paymentTag(id)]);
    const [payment] = await this.getPayments([id]);
    if (payment instanceof Error) throw payment;
    return payment ?? null;
  }

  /** The customer as Stripe has it now; null when it is gone (retrieve answers `deleted: true` for a deleted one). Never cached. */
  async readCustomer(id: string): Promise<ProviderCustomer | null> {
    const res = await this.call('customers.retrieve', { idempotent: true, schema: CustomerOrDeletedSchema }, async () =>
      (await this.stripe()).customers.retrieve(id),
    ).catch((err: unknown) => {
      if ((err as { kind?: string }).kind === 'not_found') return { id, deleted: true as const };
      throw err;
    });
    return 'deleted' in res && res.deleted ? null : toProviderCustomer(res as typeof CustomerFieldsSchema._output);
  }

  async updateCustomer(id: string, changes: { email?: string; name?: string | null }, idempotencyKey: string): Promise<ProviderCustomer> {
    // Stripe clears a field posted as the empty string.
    const params: Stripe.CustomerUpdateParams = {
      ...(changes.email !== undefined ? { email: changes.email } : {}),
      ...(changes.name !== undefined ? { name: changes.name ?? '' } : {}),
    };
    const c = await this.call('customers.update', { idempotent: true, schema: CustomerFieldsSchema, invalidates: [customerTag(id)] }, async () =>
      (await this.stripe()).customers.update(id, params, { idempotencyKey }),
    );
    return toProviderCustomer(c);
  }

  async noteWrite(providerCustomerId: string): Promise<void> {
    await Promise.all([this.batch.noteWrite(providerCustomerId), this.pipeline.invalidate([customerTag(providerCustomerId)])]);
  }
}
