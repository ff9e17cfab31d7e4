// What Switchyard reads from Stripe's objects (zod: a changed payload fails here, in the
// pipeline, as UPSTREAM_CONTRACT_CHANGED) and how it becomes the payments domain.
import { z } from 'zod';
import type { PaymentRecord, ProviderCustomer, RefundRecord } from '../domain/payments.ts';

export const RefundSchema = z.object({
  id: z.string(),
  object: z.literal('refund'),
  amount: z.number().int(),
  currency: z.string(),
  status: z.string().nullable(),
  reason: z.string().nullable(),
  created: z.number().int(),
  payment_intent: z.union([z.string(), z.object({ id: z.string() })]).nullable(),
});

// `refunds` is there only when expanded: the charge's first page of refunds, newest first.
const ChargeSchema = z.object({
  id: z.string(),
  amount_refunded: z.number().int(),
  refunds: z
    .object({ data: z.array(RefundSchema), has_more: z.boolean() })
    .nullable()
    .optional(),
});

/**
 * What every payment read asks Stripe to embed: the latest charge (the amount refunded) with its
 * refunds, so `Payment.refunds` costs no call of its own. (A PaymentIntent is refunded through
 * its one successful charge, its latest.)
 */
export const PAYMENT_EXPAND = ['latest_charge.refunds'] as const;
export const PAYMENT_LIST_EXPAND = ['data.latest_charge.refunds'] as const;

export const PaymentIntentSchema = z.object({
  id: z.string(),
  object: z.literal('payment_intent'),
  amount: z.number().int(),
  currency: z.string(),
  status: z.string(),
  description: z.string().nullable(),
  created: z.number().int(),
  customer: z.union([z.string(), z.object({ id: z.string() })]).nullable(),
  latest_charge: z.union([z.string(), ChargeSchema]).nullable().optional(),
});

export const CustomerSchema = z.object({ id: z.string(), object: z.literal('customer') });
export const DeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });
/** A customer with what the field sync reads of it. */
export const CustomerFieldsSchema = CustomerSchema.extend({
  email: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
});
export const CustomerOrDeletedSchema = z.union([DeletedSchema, CustomerFieldsSchema]);

export function toProviderCustomer(c: z.output<typeof CustomerFieldsSchema>): ProviderCustomer {
  return { id: c.id, email: c.email ?? null, name: c.name ?? null, customerId: c.metadata?.switchyard_id ?? null };
}

export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), has_more: z.boolean() });

export const CustomerList = listOf(
  z.object({
    id: z.string(),
    object: z.literal('customer'),
    created: z.number(),
    email: z.string().nullable().optional(),
    name: z.string().nullable().optional(),
    metadata: z.record(z.string(), z.string()).nullable().optional(),
  }),
);
export const searchOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), has_more: z.boolean(), next_page: z.string().nullable().optional() });

export type StripePaymentIntent = z.output<typeof PaymentIntentSchema>;

const idOf = (v: string | { id: string } | null | undefined): string | null => (v == null ? null : typeof v === 'string' ? v : v.id);

export function toPayment(pi: StripePaymentIntent): PaymentRecord {
  const charge = pi.latest_charge;
  const refunds = refundsOf(charge);
  return {
    id: pi.id,
    amount: { amount: pi.amount, currency: pi.currency },
    amountRefunded: charge && typeof charge === 'object' ? charge.amount_refunded : 0,
    status: pi.status,
    description: pi.description,
    createdAt: new Date(pi.created * 1000),
    providerCustomerId: idOf(pi.customer),
    ...(refunds ? { refunds } : {}),
  };
}

/** Every refund, when the payment brought them all; undefined when they must be listed. */
function refundsOf(charge: StripePaymentIntent['latest_charge']): RefundRecord[] | undefined {
  // No charge yet: nothing can have been refunded.
  if (charge === null) return [];
  if (!charge || typeof charge !== 'object' || !charge.refunds || charge.refunds.has_more) return undefined;
  return charge.refunds.data.map(toRefund);
}

export function toRefund(r: z.output<typeof RefundSchema>): RefundRecord {
  return {
    id: r.id,
    paymentId: idOf(r.payment_intent) ?? '',
    amount: { amount: r.amount, currency: r.currency },
    status: r.status ?? 'pending',
    reason: r.reason,
    createdAt: new Date(r.created * 1000),
  };
}

// Built once: a schema made per call costs more than the validation itself.
export const PaymentIntentList = listOf(PaymentIntentSchema);
// A full listing needs the amount refunded, not the refunds themselves: the charge alone.
export const PAYMENT_LISTING_EXPAND = ['data.latest_charge'] as const;
export const PaymentIntentSearch = searchOf(PaymentIntentSchema);
export const RefundList = listOf(RefundSchema);
