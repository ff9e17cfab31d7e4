// Batched payment reads for many customers at once. Stripe's list API takes one customer per
// call; its search API takes up to ten OR-ed clauses, so a page of 50 customers costs 5 search
// calls instead of 50 list calls. Search is eventually consistent (Stripe: searchable "in under
// 1 minute"), so a customer whose payments Switchyard changed in the last minute (on any replica:
// the mark is in the shared store), or a request for a later page, is read through the list API,
// which is immediate.
import type Stripe from 'stripe';
import { netPaid, type Money, type PaymentPage, type PaymentPageRequest, type PaymentRecord } from '../domain/payments.ts';
import type { Pipeline } from '../../pipeline/index.ts';
import type { SharedMarks } from '../../pipeline/marks.ts';
import { PAYMENT_LIST_EXPAND, PaymentIntentList, PaymentIntentSearch, toPayment } from './mapping.ts';
import { customerTag } from './tags.ts';

/** Stripe's limit on clauses in one search query. */
export const SEARCH_CLAUSE_LIMIT = 10;
/** How long a search may lag behind a write (Stripe documents under one minute). */
export const SEARCH_LAG_MS = 60_000;
const PAGE_LIMIT = 100;

type Call = ReturnType<Pipeline['for']>;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const quote = (id: string) => `customer:'${id.replace(/[\\']/g, '\\$&')}'`;

const writtenKey = (customerId: string) => `stripe:written:${customerId}`;

export class StripeBatchReader {
  constructor(
    /** The SDK client, made at the first call (see sdk.ts). */
    private readonly stripe: () => Promise<Stripe>,
    private readonly call: Call,
    private readonly marks: SharedMarks,
  ) {}

  /** Opens the customer's read-your-writes window; resolves once every replica can see it. */
  async noteWrite(customerId: string): Promise<void> {
    await this.marks.set(writtenKey(customerId), SEARCH_LAG_MS);
  }

  /** The customers written in the last SEARCH_LAG_MS, in one look-up for the whole batch. */
  private async recentlyWritten(customerIds: readonly string[]): Promise<Set<string>> {
    const ids = [...new Set(customerIds)];
    const marked = await this.marks.which(ids.map(writtenKey));
    return new Set(ids.filter((id) => marked.has(writtenKey(id))));
  }

  async pages(requests: readonly PaymentPageRequest[]): Promise<PaymentPage[]> {
    const results = new Array<PaymentPage | undefined>(requests.length);
    const written = await this.recentlyWritten(requests.filter((r) => !r.after && r.first < PAGE_LIMIT).map((r) => r.providerCustomerId));
    const searchable = requests.map((r, i) => ({ r, i })).filter(({ r }) => !r.after && r.first < PAGE_LIMIT && !written.has(r.providerCustomerId));
    const searchGroups = chunk([...new Set(searchable.map(({ r }) => r.providerCustomerId))], SEARCH_CLAUSE_LIMIT);
    const found = new Map<string, { items: PaymentRecord[]; complete: boolean }>();
    await Promise.all(
      searchGroups.map(async (ids) => {
        const res = await this.search(ids);
        for (const id of ids) found.set(id, { items: res.data.filter((p) => p.providerCustomerId === id), complete: !res.has_more });
      }),
    );
    for (const { r, i } of searchable) {
      const hit = found.get(r.providerCustomerId);
      // Enough items to fill the page and tell whether another follows, or the search saw everything.
      if (hit && (hit.items.length > r.first || hit.complete)) {
        results[i] = { items: hit.items.slice(0, r.first), hasNextPage: hit.items.length > r.first };
      }
    }
    await Promise.all(
      requests.map(async (r, i) => {
        if (!results[i]) results[i] = await this.list(r);
      }),
    );
    return results as PaymentPage[];
  }

  async totals(customerIds: readonly string[]): Promise<Money[][]> {
    const byCustomer = new Map<string, PaymentRecord[]>(customerIds.map((id) => [id, []]));
    const written = await this.recentlyWritten(customerIds);
    const fresh = customerIds.filter((id) => written.has(id));
    const searchable = customerIds.filter((id) => !written.has(id));
    await Promise.all([
      ...chunk([...new Set(searchable)], SEARCH_CLAUSE_LIMIT).map(async (ids) => {
        let page: string | undefined;
        do {
          const res = await this.search(ids, page);
          for (const p of res.data) byCustomer.get(p.providerCustomerId ?? '')?.push(p);
          page = res.has_more ? (res.next_page ?? undefined) : undefined;
        } while (page);
      }),
      ...fresh.map(async (id) => {
        let after: string | undefined;
        do {
          const res = await this.list({ providerCustomerId: id, first: PAGE_LIMIT, after });
          byCustomer.get(id)!.push(...res.items);
          after = res.hasNextPage ? res.items.at(-1)?.id : undefined;
        } while (after);
      }),
    ]);
    return customerIds.map((id) => netPaid((byCustomer.get(id) ?? []).map((p) => ({ ...p, amount: p.amount.amount, currency: p.amount.currency }))));
  }

  private async search(customerIds: string[], page?: string): Promise<{ data: PaymentRecord[]; has_more: boolean; next_page?: string | null }> {
    const query = customerIds.map(quote).join(' OR ');
    const cache = { cacheKey: `${query}|${page ?? ''}`, tags: customerIds.map(customerTag) };
    const res = await this.call('paymentIntents.search', { idempotent: true, schema: PaymentIntentSearch, ...cache }, async () =>
      (await this.stripe()).paymentIntents.search({ query, limit: PAGE_LIMIT, page, expand: [...PAYMENT_LIST_EXPAND] }),
    );
    return { ...res, data: res.data.map(toPayment) };
  }

  private async list(r: PaymentPageRequest): Promise<PaymentPage> {
    const cache = { cacheKey: `${r.providerCustomerId}|${r.first}|${r.after ?? ''}`, tags: [customerTag(r.providerCustomerId)] };
    const res = await this.call('paymentIntents.list', { idempotent: true, schema: PaymentIntentList, ...cache }, async () =>
      (await this.stripe()).paymentIntents.list({
        customer: r.providerCustomerId,
        limit: Math.min(r.first, PAGE_LIMIT),
        ...(r.after ? { starting_after: r.after } : {}),
        expand: [...PAYMENT_LIST_EXPAND],
      }),
    );
    return { items: res.data.map(toPayment), hasNextPage: res.has_more };
  }
}
