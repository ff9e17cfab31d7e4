// `expand[]`: replaces id strings in a response with the objects they name, and adds the
// includable properties Stripe leaves out unless asked (a charge's `refunds`). Paths may go
// through lists (`data.latest_charge`) and chain (`latest_charge.customer`, `latest_charge.refunds`).
import { invalid } from './errors.ts';
import { newestFirst } from './pagination.ts';
import type { StripeStore } from './store.ts';

type Resolver = (store: StripeStore, id: string) => unknown;

const customer: Resolver = (s, id) => s.customers.get(id) ?? (s.deletedCustomers.has(id) ? { id, object: 'customer', deleted: true } : undefined);
const paymentIntent: Resolver = (s, id) => s.paymentIntents.get(id);
const charge: Resolver = (s, id) => s.charges.get(id);
const nothing: Resolver = () => undefined;

// By object type, the fields that hold ids of expandable objects.
const EXPANDABLE: Record<string, Record<string, Resolver>> = {
  customer: { default_source: nothing, test_clock: nothing },
  payment_intent: { customer, latest_charge: charge, payment_method: nothing, application: nothing, on_behalf_of: nothing, review: nothing },
  charge: { customer, payment_intent: paymentIntent, balance_transaction: nothing, payment_method: nothing },
  refund: { charge, payment_intent: paymentIntent, balance_transaction: nothing },
};

/** How many items an expanded sublist carries; `has_more` tells whether the list API holds more. */
const SUBLIST_LIMIT = 10;

// Since API version 2022-11-15 a charge's `refunds` is absent unless expanded; expanded, it is
// the first page of the list of that charge's refunds, newest first.
const INCLUDABLE: Record<string, Record<string, (store: StripeStore, parent: Record<string, unknown>) => unknown>> = {
  charge: {
    refunds: (s, charge) => {
      const all = [...s.refunds.values()].filter((r) => r.charge === charge.id).sort(newestFirst);
      return {
        object: 'list',
        data: structuredClone(all.slice(0, SUBLIST_LIMIT)),
        has_more: all.length > SUBLIST_LIMIT,
        url: `/v1/charges/${String(charge.id)}/refunds`,
      };
    },
  },
};

function cannot(path: string): never {
  throw invalid(`This property cannot be expanded (${path}).`);
}

function expandPath(store: StripeStore, target: Record<string, unknown>, segments: string[], full: string): void {
  const [head, ...rest] = segments;
  if (head === undefined) return;
  const type = target.object;
  if ((type === 'list' || type === 'search_result') && head === 'data') {
    if (rest.length === 0) cannot(full);
    for (const item of target.data as Record<string, unknown>[]) expandPath(store, item, rest, full);
    return;
  }
  const include = typeof type === 'string' ? INCLUDABLE[type]?.[head] : undefined;
  if (include) {
    target[head] ??= include(store, target);
    if (rest.length > 0) expandPath(store, target[head] as Record<string, unknown>, rest, full);
    return;
  }
  const resolver = typeof type === 'string' ? EXPANDABLE[type]?.[head] : undefined;
  if (!resolver) cannot(full);
  let value = target[head];
  if (typeof value === 'string') {
    // Payment methods are not stored: an unknown id stays an id rather than failing the request.
    const found = resolver(store, value);
    if (found !== undefined) value = target[head] = structuredClone(found);
  }
  if (rest.length > 0 && value && typeof value === 'object') expandPath(store, value as Record<string, unknown>, rest, full);
}

/** Returns a copy of `body` with every path in `paths` expanded. */
export function expand<T>(store: StripeStore, body: T, paths: readonly string[]): T {
  const out = structuredClone(body) as Record<string, unknown>;
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > 4) throw invalid(`You cannot expand more than 4 levels of a property. Property: ${path}`);
    expandPath(store, out, segments, path);
  }
  return out as T;
}
