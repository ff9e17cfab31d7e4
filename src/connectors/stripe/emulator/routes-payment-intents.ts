// /v1/payment_intents: create, retrieve, update, confirm, cancel, list, search.
import type { Route } from '../../../emulators/http.ts';
import type { StripeApi } from './api.ts';
import { checkChargeAmount, parseCurrency } from './currency.ts';
import { invalid, missingParam, noSuch } from './errors.ts';
import type { EmitEvent } from './events.ts';
import { applyMetadata, bool, int, nullableStr, obj, rejectUnknown, str, strArray, type ParamObject } from './form.ts';
import { listPage } from './pagination.ts';
import { CANCELABLE, CONFIRMABLE, assertConfirmable, checkPaymentMethod, confirmIntent, missingPaymentMethod, unexpectedState } from './payment-intents.ts';
import { parseShipping } from './routes-customers.ts';
import { searchPage, type SearchSpec } from './search.ts';
import { newId, newPaymentIntent } from './objects.ts';
import type { PaymentIntent, StripeStore } from './store.ts';

const COMMON = [
  'description',
  'metadata',
  'payment_method',
  'payment_method_types',
  'receipt_email',
  'setup_future_usage',
  'shipping',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'expand',
];
const CREATE = [...COMMON, 'amount', 'currency', 'customer', 'confirm', 'automatic_payment_methods', 'return_url', 'off_session'];
const UPDATE = [...COMMON, 'amount', 'currency', 'customer'];
const CONFIRM = [
  'payment_method',
  'receipt_email',
  'return_url',
  'off_session',
  'setup_future_usage',
  'shipping',
  'expand',
  'error_on_requires_action',
  'use_stripe_sdk',
];
// Fields that can only change while the PaymentIntent still awaits payment.
const LOCKED_AFTER_PAYMENT = ['amount', 'currency', 'payment_method', 'payment_method_types'];

function customerParam(store: StripeStore, p: ParamObject): string | null | undefined {
  const id = nullableStr(p, 'customer');
  if (id && !store.customers.has(id)) throw noSuch('customer', id, 'customer');
  return id;
}

/** Applies the parameters create, update and confirm share; `pi` is a draft, not the stored object. */
function applyCommon(pi: PaymentIntent, p: ParamObject): void {
  const description = nullableStr(p, 'description');
  if (description !== undefined) pi.description = description;
  const receiptEmail = nullableStr(p, 'receipt_email');
  if (receiptEmail !== undefined) pi.receipt_email = receiptEmail;
  const sfu = nullableStr(p, 'setup_future_usage');
  if (sfu !== undefined) {
    if (sfu !== null && !['on_session', 'off_session'].includes(sfu))
      throw invalid('Invalid setup_future_usage: must be one of on_session or off_session', 'setup_future_usage');
    pi.setup_future_usage = sfu;
  }
  const shipping = parseShipping(p.shipping, 'shipping');
  if (shipping !== undefined) pi.shipping = shipping;
  for (const key of ['statement_descriptor', 'statement_descriptor_suffix'] as const) {
    const v = nullableStr(p, key);
    if (v !== undefined && v !== null && v.length > 22) throw invalid(`The ${key} must be at most 22 characters.`, key);
    if (v !== undefined) pi[key] = v;
  }
  const types = strArray(p, 'payment_method_types');
  if (types !== undefined) {
    pi.payment_method_types = types;
    pi.automatic_payment_methods = null;
  }
  const pm = nullableStr(p, 'payment_method');
  if (pm) checkPaymentMethod(pm);
  if (pm !== undefined) pi.payment_method = pm;
  pi.metadata = applyMetadata(pi.metadata, p);
}

function create(store: StripeStore, p: ParamObject, event: EmitEvent): PaymentIntent {
  rejectUnknown(p, CREATE);
  const amount = int(p, 'amount');
  if (amount === undefined) throw missingParam('amount');
  const currencyParam = str(p, 'currency');
  if (!currencyParam) throw missingParam('currency');
  const currency = parseCurrency(currencyParam);
  checkChargeAmount(amount, currency);
  const pi = newPaymentIntent(newId('pi'), store.now(), amount, currency);
  pi.customer = customerParam(store, p) ?? null;
  const apm = obj(p, 'automatic_payment_methods');
  if (apm && p.payment_method_types !== undefined) {
    throw invalid('You may only specify one of these parameters: automatic_payment_methods, payment_method_types.');
  }
  if (apm) {
    rejectUnknown(apm, ['enabled', 'allow_redirects'], 'automatic_payment_methods');
    const enabled = bool(apm, 'enabled', 'automatic_payment_methods[enabled]');
    if (enabled === undefined) throw missingParam('automatic_payment_methods[enabled]');
    const redirects = str(apm, 'allow_redirects', 'automatic_payment_methods[allow_redirects]') ?? 'always';
    if (!['always', 'never'].includes(redirects))
      throw invalid('Invalid automatic_payment_methods[allow_redirects]: must be one of always or never', 'automatic_payment_methods[allow_redirects]');
    pi.automatic_payment_methods = enabled ? { enabled, allow_redirects: redirects } : { enabled };
  }
  applyCommon(pi, p);
  const confirm = bool(p, 'confirm') ?? false;
  bool(p, 'off_session');
  str(p, 'return_url');
  if (confirm && !pi.payment_method) throw missingPaymentMethod();
  pi.status = pi.payment_method ? 'requires_confirmation' : 'requires_payment_method';
  store.paymentIntents.set(pi.id, pi);
  event('payment_intent.created', pi);
  if (confirm) confirmIntent(store, pi, event);
  return pi;
}

function update(store: StripeStore, current: PaymentIntent, p: ParamObject): PaymentIntent {
  rejectUnknown(p, UPDATE);
  const locked = !CONFIRMABLE.includes(current.status);
  const field = LOCKED_AFTER_PAYMENT.find((k) => p[k] !== undefined);
  if (locked && field) {
    throw unexpectedState(
      `This PaymentIntent's ${field} could not be updated because it has a status of ${current.status}. You may only update the ${field} of a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action.`,
      current,
    );
  }
  const pi = structuredClone(current);
  const currencyParam = str(p, 'currency');
  if (currencyParam) pi.currency = parseCurrency(currencyParam);
  const amount = int(p, 'amount');
  if (amount !== undefined) pi.amount = amount;
  if (amount !== undefined || currencyParam) checkChargeAmount(pi.amount, pi.currency);
  const customer = customerParam(store, p);
  if (customer !== undefined) pi.customer = customer;
  applyCommon(pi, p);
  if (!locked) pi.status = pi.payment_method ? 'requires_confirmation' : 'requires_payment_method';
  store.paymentIntents.set(pi.id, pi);
  return pi;
}

export const paymentIntentSearch: SearchSpec<PaymentIntent> = {
  resource: 'payment_intents',
  fields: {
    amount: { kind: 'numeric', get: (pi) => pi.amount },
    created: { kind: 'numeric', get: (pi) => pi.created },
    currency: { kind: 'token', get: (pi) => pi.currency },
    customer: { kind: 'token', get: (pi) => pi.customer },
    status: { kind: 'token', get: (pi) => pi.status },
  },
  metadata: (pi) => pi.metadata,
};

export function paymentIntentRoutes(api: StripeApi): Route[] {
  const { store } = api;
  const find = (id: string): PaymentIntent => {
    const pi = store.paymentIntents.get(id);
    if (!pi) throw noSuch('payment_intent', id, 'intent', 404);
    return pi;
  };
  return [
    api.route('POST', '/v1/payment_intents', ({ p, event }) => create(store, p, event)),
    api.route('GET', '/v1/payment_intents/search', ({ req, p, expandPaths }) => {
      rejectUnknown(p, ['query', 'limit', 'page', 'expand']);
      return searchPage(
        [...store.paymentIntents.values()],
        p,
        paymentIntentSearch,
        '/v1/payment_intents/search',
        expandPaths.includes('total_count'),
        req.fault?.searchLagMs,
      );
    }),
    api.route('GET', '/v1/payment_intents', ({ p }) => {
      rejectUnknown(p, ['created', 'customer', 'ending_before', 'expand', 'limit', 'starting_after']);
      const customer = str(p, 'customer');
      const items = [...store.paymentIntents.values()].filter((pi) => customer === undefined || pi.customer === customer);
      return listPage(items, p, { url: '/v1/payment_intents', noun: 'payment_intent', find: (id) => store.paymentIntents.get(id) });
    }),
    api.route('GET', '/v1/payment_intents/:id', ({ req, p }) => {
      rejectUnknown(p, ['expand', 'client_secret']);
      return find(req.params.id!);
    }),
    api.route('POST', '/v1/payment_intents/:id', ({ req, p }) => update(store, find(req.params.id!), p)),
    api.route('POST', '/v1/payment_intents/:id/confirm', ({ req, p, event }) => {
      rejectUnknown(p, CONFIRM);
      const current = find(req.params.id!);
      assertConfirmable(current);
      const draft = structuredClone(current);
      applyCommon(draft, p);
      bool(p, 'off_session');
      bool(p, 'error_on_requires_action');
      // Validation passed: from here the stored object changes, declined or not.
      Object.assign(current, draft);
      confirmIntent(store, current, event);
      return current;
    }),
    api.route('POST', '/v1/payment_intents/:id/cancel', ({ req, p, event }) => {
      rejectUnknown(p, ['cancellation_reason', 'expand']);
      const pi = find(req.params.id!);
      const reason = str(p, 'cancellation_reason') ?? null;
      if (reason !== null && !['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'].includes(reason)) {
        throw invalid('Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned', 'cancellation_reason');
      }
      if (!CANCELABLE.includes(pi.status)) {
        throw unexpectedState(
          `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
          pi,
        );
      }
      Object.assign(pi, { status: 'canceled', canceled_at: store.now(), cancellation_reason: reason });
      event('payment_intent.canceled', pi);
      return pi;
    }),
  ];
}
