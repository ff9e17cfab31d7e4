// PaymentIntent state changes: confirmation against Stripe's test payment methods, with the
// declines Stripe's `pm_card_chargeDeclined*` tokens produce.
import { StripeApiError, docUrl, invalid, noSuch } from './errors.ts';
import type { EmitEvent } from './events.ts';
import { newCharge, newId } from './objects.ts';
import type { Charge, PaymentIntent, StripeStore } from './store.ts';

interface Decline {
  code: string;
  decline_code: string;
  message: string;
}

const declined = (decline_code: string, message = 'Your card was declined.'): Decline => ({ code: 'card_declined', decline_code, message });

const DECLINES: Record<string, Decline> = {
  pm_card_chargeDeclined: declined('generic_decline'),
  pm_card_visa_chargeDeclined: declined('generic_decline'),
  pm_card_chargeDeclinedInsufficientFunds: declined('insufficient_funds', 'Your card has insufficient funds.'),
  pm_card_chargeDeclinedLostCard: declined('lost_card'),
  pm_card_chargeDeclinedStolenCard: declined('stolen_card'),
  pm_card_chargeDeclinedFraudulent: declined('fraudulent'),
  pm_card_chargeDeclinedVelocityLimitExceeded: declined('card_velocity_exceeded'),
  pm_card_chargeDeclinedExpiredCard: { code: 'expired_card', decline_code: 'expired_card', message: 'Your card has expired.' },
  pm_card_chargeDeclinedIncorrectCvc: { code: 'incorrect_cvc', decline_code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
  pm_card_chargeDeclinedProcessingError: {
    code: 'processing_error',
    decline_code: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a little bit.',
  },
};

export const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
export const CANCELABLE = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];

export function unexpectedState(message: string, pi: PaymentIntent): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'payment_intent_unexpected_state',
    message,
    payment_intent: structuredClone(pi),
  });
}

/** Payment methods are not stored: any `pm_` id is taken as a working card unless it is a decline token. */
export function checkPaymentMethod(pm: string, param = 'payment_method'): void {
  if (!/^pm_[A-Za-z0-9_]+$/.test(pm)) throw noSuch('PaymentMethod', pm, param);
}

function paymentMethodObject(pm: string): Record<string, unknown> {
  return { id: pm, object: 'payment_method', type: 'card', livemode: false };
}

function failedCharge(pi: PaymentIntent, pm: string, d: Decline, created: number): Charge {
  const charge = newCharge(newId('ch'), pi, pm, created);
  Object.assign(charge, {
    amount_captured: 0,
    captured: false,
    paid: false,
    status: 'failed',
    failure_code: d.code,
    failure_message: d.message,
    outcome: {
      network_status: 'declined_by_network',
      reason: d.decline_code,
      risk_level: 'normal',
      seller_message: 'The bank did not return any further details with this decline.',
      type: 'issuer_declined',
    },
  });
  return charge;
}

export function assertConfirmable(pi: PaymentIntent): void {
  if (!CONFIRMABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action.`,
      pi,
    );
  }
}

/** Confirms `pi` in place, with the events Stripe sends. A decline leaves it in requires_payment_method and throws a 402. */
export function confirmIntent(store: StripeStore, pi: PaymentIntent, event: EmitEvent, pmParam?: string): void {
  assertConfirmable(pi);
  const pm = pmParam ?? pi.payment_method;
  if (!pm) throw missingPaymentMethod(pi);
  checkPaymentMethod(pm);
  const decline = DECLINES[pm];
  if (decline) {
    const charge = failedCharge(pi, pm, decline, store.now());
    store.charges.set(charge.id, charge);
    const error = {
      charge: charge.id,
      code: decline.code,
      decline_code: decline.decline_code,
      doc_url: docUrl(decline.code),
      message: decline.message,
      payment_method: paymentMethodObject(pm),
      type: 'card_error' as const,
    };
    Object.assign(pi, { status: 'requires_payment_method', payment_method: null, latest_charge: charge.id, last_payment_error: error });
    event('charge.failed', charge);
    event('payment_intent.payment_failed', pi);
    throw new StripeApiError(402, { ...error, payment_intent: structuredClone(pi) });
  }
  const charge = newCharge(newId('ch'), pi, pm, store.now());
  store.charges.set(charge.id, charge);
  Object.assign(pi, { status: 'succeeded', amount_received: pi.amount, latest_charge: charge.id, payment_method: pm, last_payment_error: null });
  event('charge.succeeded', charge);
  event('payment_intent.succeeded', pi);
}

export function missingPaymentMethod(pi?: PaymentIntent): StripeApiError {
  const message =
    "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.";
  return pi ? unexpectedState(message, pi) : invalid(message, undefined, 'payment_intent_unexpected_state');
}
