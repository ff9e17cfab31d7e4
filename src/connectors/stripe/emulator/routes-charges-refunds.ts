// /v1/charges (read-only: charges come from confirmed PaymentIntents) and /v1/refunds.
import type { Route } from '../../../emulators/http.ts';
import type { StripeApi } from './api.ts';
import { formatAmount } from './currency.ts';
import { invalid, noSuch } from './errors.ts';
import { previousAttributes, type EmitEvent } from './events.ts';
import { applyMetadata, int, rejectUnknown, str, type ParamObject } from './form.ts';
import { listPage } from './pagination.ts';
import { newId, newRefund } from './objects.ts';
import type { Charge, Refund, StripeStore } from './store.ts';

const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'];

function refundableCharge(store: StripeStore, chargeId: string | undefined, piId: string | undefined): Charge {
  if (piId) {
    const pi = store.paymentIntents.get(piId);
    if (!pi) throw noSuch('payment_intent', piId, 'payment_intent');
    const latest = pi.latest_charge ? store.charges.get(pi.latest_charge) : undefined;
    if (pi.status !== 'succeeded' || !latest || latest.status !== 'succeeded') {
      throw invalid(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, 'payment_intent', 'charge_not_refundable');
    }
    if (chargeId && chargeId !== latest.id) throw invalid(`The charge '${chargeId}' does not belong to the PaymentIntent '${pi.id}'.`, 'charge');
    return latest;
  }
  const charge = store.charges.get(chargeId!);
  if (!charge) throw noSuch('charge', chargeId!, 'charge');
  if (charge.status !== 'succeeded') {
    throw invalid(`Charge ${charge.id} has a status of ${charge.status} and cannot be refunded.`, 'charge', 'charge_not_refundable');
  }
  return charge;
}

export function createRefund(store: StripeStore, p: ParamObject, event: EmitEvent): Refund {
  rejectUnknown(p, ['amount', 'charge', 'payment_intent', 'reason', 'metadata', 'expand']);
  const chargeId = str(p, 'charge') || undefined;
  const piId = str(p, 'payment_intent') || undefined;
  const requested = int(p, 'amount');
  if (requested !== undefined && requested < 1) throw invalid('This value must be greater than or equal to 1.', 'amount');
  const reason = str(p, 'reason') || null;
  if (reason !== null && !REASONS.includes(reason)) {
    throw invalid('Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer', 'reason');
  }
  const metadata = applyMetadata({}, p);
  if (!chargeId && !piId) throw invalid('One of the following params should be provided for this request: payment_intent or charge.');

  const charge = refundableCharge(store, chargeId, piId);
  const remaining = charge.amount - charge.amount_refunded;
  if (remaining <= 0) throw invalid(`Charge ${charge.id} has already been refunded.`, undefined, 'charge_already_refunded');
  const amount = requested ?? remaining;
  if (amount > remaining) {
    throw invalid(
      `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
      'amount',
      'amount_too_large',
    );
  }
  const refund = newRefund(newId('re'), charge, amount, reason, store.now());
  refund.metadata = metadata;
  store.refunds.set(refund.id, refund);
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded >= charge.amount;
  event('charge.refunded', charge, charge.refunded === previous.refunded ? { amount_refunded: previous.amount_refunded } : previous);
  event('refund.created', refund);
  return refund;
}

export function chargeRefundRoutes(api: StripeApi): Route[] {
  const { store } = api;
  const findRefund = (id: string): Refund => {
    const r = store.refunds.get(id);
    if (!r) throw noSuch('refund', id, 'refund', 404);
    return r;
  };
  return [
    api.route('GET', '/v1/charges', ({ p }) => {
      rejectUnknown(p, ['created', 'customer', 'payment_intent', 'ending_before', 'expand', 'limit', 'starting_after']);
      const customer = str(p, 'customer');
      const pi = str(p, 'payment_intent');
      const items = [...store.charges.values()].filter(
        (c) => (customer === undefined || c.customer === customer) && (pi === undefined || c.payment_intent === pi),
      );
      return listPage(items, p, { url: '/v1/charges', noun: 'charge', find: (id) => store.charges.get(id) });
    }),
    api.route('GET', '/v1/charges/:id', ({ req, p }) => {
      rejectUnknown(p, ['expand']);
      const charge = store.charges.get(req.params.id!);
      if (!charge) throw noSuch('charge', req.params.id!, 'id', 404);
      return charge;
    }),
    api.route('POST', '/v1/refunds', ({ p, event }) => createRefund(store, p, event)),
    api.route('GET', '/v1/refunds', ({ p }) => {
      rejectUnknown(p, ['charge', 'created', 'payment_intent', 'ending_before', 'expand', 'limit', 'starting_after']);
      const charge = str(p, 'charge');
      const pi = str(p, 'payment_intent');
      const items = [...store.refunds.values()].filter((r) => (charge === undefined || r.charge === charge) && (pi === undefined || r.payment_intent === pi));
      return listPage(items, p, { url: '/v1/refunds', noun: 'refund', find: (id) => store.refunds.get(id) });
    }),
    api.route('GET', '/v1/refunds/:id', ({ req, p }) => {
      rejectUnknown(p, ['expand']);
      return findRefund(req.params.id!);
    }),
    api.route('POST', '/v1/refunds/:id', ({ req, p, event }) => {
      rejectUnknown(p, ['metadata', 'expand']);
      const refund = findRefund(req.params.id!);
      const before = structuredClone(refund);
      refund.metadata = applyMetadata(refund.metadata, p);
      const previous = previousAttributes(before, refund);
      if (previous) event('refund.updated', refund, previous);
      return refund;
    }),
  ];
}
