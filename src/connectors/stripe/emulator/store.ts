// In-memory state of the emulated Stripe account. Objects are kept in their wire shape and
// cloned on the way out, so a caller can never mutate stored state through a response.
import type { SeedCustomer } from '../../../demo/seed.ts';
import type { ParamObject } from './form.ts';
import { newCharge, newCustomer, newPaymentIntent, newRefund, now } from './objects.ts';

export type Metadata = Record<string, string>;

interface Base {
  id: string;
  created: number;
  livemode: false;
  metadata: Metadata;
}

export interface Customer extends Base {
  object: 'customer';
  address: ParamObject | null;
  balance: number;
  currency: string | null;
  default_source: string | null;
  delinquent: boolean;
  description: string | null;
  discount: null;
  email: string | null;
  invoice_prefix: string;
  invoice_settings: { custom_fields: null; default_payment_method: null; footer: null; rendering_options: null };
  name: string | null;
  next_invoice_sequence: number;
  phone: string | null;
  preferred_locales: string[];
  shipping: ParamObject | null;
  tax_exempt: string;
  test_clock: null;
}

export type PaymentIntentStatus =
  'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'canceled' | 'succeeded';

export interface PaymentIntent extends Base {
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  automatic_payment_methods: { enabled: boolean; allow_redirects?: string } | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: 'automatic_async';
  client_secret: string;
  confirmation_method: 'automatic';
  currency: string;
  customer: string | null;
  description: string | null;
  last_payment_error: Record<string, unknown> | null;
  latest_charge: string | null;
  next_action: null;
  payment_method: string | null;
  payment_method_types: string[];
  receipt_email: string | null;
  setup_future_usage: string | null;
  shipping: ParamObject | null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  status: PaymentIntentStatus;
}

export interface Charge extends Base {
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  balance_transaction: null;
  billing_details: { address: null; email: null; name: null; phone: null };
  captured: boolean;
  currency: string;
  customer: string | null;
  description: string | null;
  disputed: boolean;
  failure_code: string | null;
  failure_message: string | null;
  outcome: Record<string, unknown>;
  paid: boolean;
  payment_intent: string | null;
  payment_method: string | null;
  receipt_email: string | null;
  refunded: boolean;
  status: 'succeeded' | 'pending' | 'failed';
}

export interface Refund extends Base {
  object: 'refund';
  amount: number;
  balance_transaction: null;
  charge: string;
  currency: string;
  payment_intent: string | null;
  reason: string | null;
  receipt_number: null;
  status: 'succeeded';
}

export type StripeObject = Customer | PaymentIntent | Charge | Refund;

export interface StripeState {
  customers: Customer[];
  deletedCustomers: string[];
  paymentIntents: PaymentIntent[];
  charges: Charge[];
  refunds: Refund[];
}

export class StripeStore {
  readonly customers = new Map<string, Customer>();
  /** Deleted customers still answer retrieve with `{ deleted: true }`, as Stripe does. */
  readonly deletedCustomers = new Set<string>();
  readonly paymentIntents = new Map<string, PaymentIntent>();
  readonly charges = new Map<string, Charge>();
  readonly refunds = new Map<string, Refund>();

  /** Set: the account's clock stands at this Unix time (POST /__control/clock); null: real time. */
  frozenTime: number | null = null;

  constructor(private readonly seed: SeedCustomer[]) {
    this.reset();
  }

  /** The account's time now, in Unix seconds: what every object and event made now carries as `created`. */
  now(): number {
    return this.frozenTime ?? now();
  }

  reset(): void {
    this.frozenTime = null;
    this.customers.clear();
    this.deletedCustomers.clear();
    this.paymentIntents.clear();
    this.charges.clear();
    this.refunds.clear();
    for (const c of this.seed) this.load(c);
  }

  snapshot(): StripeState {
    return {
      customers: [...this.customers.values()],
      deletedCustomers: [...this.deletedCustomers],
      paymentIntents: [...this.paymentIntents.values()],
      charges: [...this.charges.values()],
      refunds: [...this.refunds.values()],
    };
  }

  restore(state: StripeState): void {
    this.customers.clear();
    this.deletedCustomers.clear();
    this.paymentIntents.clear();
    this.charges.clear();
    this.refunds.clear();
    for (const c of state.customers) this.customers.set(c.id, c);
    for (const id of state.deletedCustomers) this.deletedCustomers.add(id);
    for (const p of state.paymentIntents) this.paymentIntents.set(p.id, p);
    for (const c of state.charges) this.charges.set(c.id, c);
    for (const r of state.refunds) this.refunds.set(r.id, r);
  }

  private load(c: SeedCustomer): void {
    const customer = newCustomer(c.paymentsId, c.created);
    customer.email = c.email;
    customer.name = `${c.firstName} ${c.lastName}`;
    customer.metadata = { switchyard_id: c.id };
    this.customers.set(customer.id, customer);
    for (const p of c.payments) {
      const pi = newPaymentIntent(p.id, p.created, p.amount, p.currency);
      pi.client_secret = `${p.id}_secret_demo`;
      pi.customer = customer.id;
      pi.description = p.description;
      pi.status = p.status;
      if (p.status === 'canceled') {
        pi.canceled_at = p.created + 3_600;
        pi.cancellation_reason = 'abandoned';
      }
      if (p.status === 'succeeded' || p.status === 'processing') pi.payment_method = 'pm_card_visa';
      if (p.status === 'succeeded') {
        pi.amount_received = p.amount;
        const charge = newCharge(p.chargeId, pi, 'pm_card_visa', p.created);
        charge.amount_refunded = p.refundedAmount;
        charge.refunded = p.refundedAmount >= p.amount;
        pi.latest_charge = charge.id;
        this.charges.set(charge.id, charge);
        if (p.refundedAmount > 0) {
          const refund = newRefund(`re_${p.chargeId.slice(3)}`, charge, p.refundedAmount, 'requested_by_customer', p.created + 3_600);
          this.refunds.set(refund.id, refund);
        }
      }
      this.paymentIntents.set(pi.id, pi);
    }
  }
}
