// /v1/customers: create, retrieve, update, delete, list, search.
import type { Route } from '../../../emulators/http.ts';
import type { StripeApi } from './api.ts';
import { invalid, missingParam, noSuch } from './errors.ts';
import { applyMetadata, int, isObject, nullableStr, rejectUnknown, str, strArray, type Param, type ParamObject } from './form.ts';
import { listPage } from './pagination.ts';
import { searchPage, type SearchSpec } from './search.ts';
import { previousAttributes } from './events.ts';
import { newCustomer, newId } from './objects.ts';
import type { Customer, StripeStore } from './store.ts';

const ADDRESS_KEYS = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'];
const WRITABLE = [
  'address',
  'balance',
  'description',
  'email',
  'invoice_prefix',
  'metadata',
  'name',
  'phone',
  'preferred_locales',
  'shipping',
  'tax_exempt',
  'expand',
];

export function parseAddress(v: Param | undefined, param: string): ParamObject | null | undefined {
  if (v === undefined) return undefined;
  if (v === '') return null;
  if (!isObject(v)) throw invalid('Invalid hash', param);
  rejectUnknown(v, ADDRESS_KEYS, param);
  const out: ParamObject = {};
  for (const k of ADDRESS_KEYS) out[k] = (nullableStr(v, k, `${param}[${k}]`) ?? null) as Param;
  return out;
}

export function parseShipping(v: Param | undefined, param: string): ParamObject | null | undefined {
  if (v === undefined) return undefined;
  if (v === '') return null;
  if (!isObject(v)) throw invalid('Invalid hash', param);
  rejectUnknown(v, ['address', 'name', 'phone', 'carrier', 'tracking_number'], param);
  if (v.address === undefined) throw missingParam(`${param}[address]`);
  const name = str(v, 'name', `${param}[name]`);
  if (!name) throw missingParam(`${param}[name]`);
  const out: ParamObject = { address: parseAddress(v.address, `${param}[address]`) as ParamObject, name };
  out.phone = (nullableStr(v, 'phone', `${param}[phone]`) ?? null) as Param;
  return out;
}

function applyParams(current: Customer, p: ParamObject): Customer {
  rejectUnknown(p, WRITABLE);
  const c = structuredClone(current);
  const email = nullableStr(p, 'email');
  if (email !== undefined) {
    if (email !== null && (email.length > 512 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))) {
      throw invalid(`Invalid email address: ${email}`, 'email', 'email_invalid');
    }
    c.email = email;
  }
  const name = nullableStr(p, 'name');
  if (name !== undefined) c.name = name;
  const description = nullableStr(p, 'description');
  if (description !== undefined) c.description = description;
  const phone = nullableStr(p, 'phone');
  if (phone !== undefined) c.phone = phone;
  const balance = int(p, 'balance');
  if (balance !== undefined) c.balance = balance;
  const prefix = str(p, 'invoice_prefix');
  if (prefix !== undefined) {
    if (!/^[A-Z0-9]{3,12}$/.test(prefix)) throw invalid('Invoice prefix must be 3-12 uppercase letters or numbers.', 'invoice_prefix');
    c.invoice_prefix = prefix;
  }
  const locales = strArray(p, 'preferred_locales');
  if (locales !== undefined) c.preferred_locales = locales;
  const taxExempt = str(p, 'tax_exempt');
  if (taxExempt !== undefined) {
    if (!['none', 'exempt', 'reverse'].includes(taxExempt)) throw invalid('Invalid tax_exempt: must be one of none, exempt, or reverse', 'tax_exempt');
    c.tax_exempt = taxExempt;
  }
  const address = parseAddress(p.address, 'address');
  if (address !== undefined) c.address = address;
  const shipping = parseShipping(p.shipping, 'shipping');
  if (shipping !== undefined) c.shipping = shipping;
  c.metadata = applyMetadata(c.metadata, p);
  return c;
}

/** A live customer named in the URL, or 404. */
function pathCustomer(store: StripeStore, id: string): Customer {
  const c = store.customers.get(id);
  if (!c) throw noSuch('customer', id, 'id', 404);
  return c;
}

export const customerSearch: SearchSpec<Customer> = {
  resource: 'customers',
  fields: {
    email: { kind: 'string', get: (c) => c.email },
    name: { kind: 'string', get: (c) => c.name },
    phone: { kind: 'string', get: (c) => c.phone },
    created: { kind: 'numeric', get: (c) => c.created },
  },
  metadata: (c) => c.metadata,
};

export function customerRoutes(api: StripeApi): Route[] {
  const { store } = api;
  return [
    api.route('POST', '/v1/customers', ({ p, event }) => {
      const c = applyParams(newCustomer(newId('cus'), store.now()), p);
      store.customers.set(c.id, c);
      event('customer.created', c);
      return c;
    }),
    api.route('GET', '/v1/customers/search', ({ req, p, expandPaths }) => {
      rejectUnknown(p, ['query', 'limit', 'page', 'expand']);
      return searchPage([...store.customers.values()], p, customerSearch, '/v1/customers/search', expandPaths.includes('total_count'), req.fault?.searchLagMs);
    }),
    api.route('GET', '/v1/customers', ({ p }) => {
      rejectUnknown(p, ['created', 'email', 'ending_before', 'expand', 'limit', 'starting_after']);
      const email = str(p, 'email');
      if (email !== undefined && email.length > 512) throw invalid('Invalid email: must be at most 512 characters', 'email');
      const items = [...store.customers.values()].filter((c) => email === undefined || c.email === email);
      return listPage(items, p, { url: '/v1/customers', noun: 'customer', find: (id) => store.customers.get(id) });
    }),
    api.route('GET', '/v1/customers/:id', ({ req, p }) => {
      rejectUnknown(p, ['expand']);
      const id = req.params.id!;
      if (store.deletedCustomers.has(id)) return { id, object: 'customer', deleted: true };
      return pathCustomer(store, id);
    }),
    api.route('POST', '/v1/customers/:id', ({ req, p, event }) => {
      const before = pathCustomer(store, req.params.id!);
      const c = applyParams(before, p);
      store.customers.set(c.id, c);
      const previous = previousAttributes(before, c);
      if (previous) event('customer.updated', c, previous);
      return c;
    }),
    api.route('DELETE', '/v1/customers/:id', ({ req, event }) => {
      const c = pathCustomer(store, req.params.id!);
      store.customers.delete(c.id);
      store.deletedCustomers.add(c.id);
      // customer.deleted carries the customer as it was, not the `deleted: true` stub.
      event('customer.deleted', c);
      return { id: c.id, object: 'customer', deleted: true };
    }),
  ];
}
