// Ownership checks for the customer role: a principal whose token subject is a customer id sees
// that customer, its payments, refunds and CRM contact, and nothing else. Lookups go through the
// request's DataLoaders, so a check costs no upstream call the resolver would not make anyway.
import type { Context } from '../context.ts';
import type { CustomerRecord } from '../connectors/store/index.ts';
import type { PaymentRecord, RefundRecord } from '../connectors/domain/payments.ts';
import type { CrmContactRecord } from '../connectors/domain/crm.ts';
import { orNull } from '../errors/notFound.ts';

export interface OwnCheck {
  /** For docs/permissions.md. */
  description: string;
  check(parent: unknown, args: Record<string, unknown>, ctx: Context): boolean | Promise<boolean>;
}

const ownRecord = async (ctx: Context): Promise<CustomerRecord | null> =>
  ctx.principal.customerId ? orNull(ctx.loaders.customerById.load(ctx.principal.customerId)) : null;

async function ownPayment(payment: PaymentRecord | null, ctx: Context): Promise<boolean> {
  if (!payment?.providerCustomerId) return false;
  const me = await ownRecord(ctx);
  return !!me?.paymentsCustomerId && payment.providerCustomerId === me.paymentsCustomerId;
}

function ownPaymentId(id: unknown, ctx: Context): Promise<boolean> | false {
  // A malformed id cannot be the customer's own: refused without an upstream lookup.
  return (
    typeof id === 'string' && ctx.connectors.payments.paymentIds.pattern.test(id) && orNull(ctx.loaders.paymentById.load(id)).then((p) => ownPayment(p, ctx))
  );
}

export const OWN_CHECKS = {
  customerArg: {
    description: 'only its own customer id',
    check: (_p, args, ctx) => args.id === ctx.principal.customerId,
  },
  customer: {
    description: 'only its own customer record',
    check: (parent, _a, ctx) => (parent as CustomerRecord).id === ctx.principal.customerId,
  },
  paymentArg: {
    description: 'only a payment of its own (any other id, existing or not, is FORBIDDEN)',
    check: (_p, args, ctx) => ownPaymentId(args.id, ctx),
  },
  payment: {
    description: 'only its own payments',
    check: (parent, _a, ctx) => ownPayment(parent as PaymentRecord, ctx),
  },
  refund: {
    description: 'only refunds of its own payments',
    check: (parent, _a, ctx) => ownPaymentId((parent as RefundRecord).paymentId, ctx),
  },
  contactArg: {
    description: 'only its own CRM contact id',
    check: async (_p, args, ctx) => typeof args.id === 'string' && (await ownRecord(ctx))?.crmContactId === args.id,
  },
  contact: {
    description: 'only its own CRM contact',
    check: async (parent, _a, ctx) => (await ownRecord(ctx))?.crmContactId === (parent as CrmContactRecord).id,
  },
} satisfies Record<string, OwnCheck>;

export type OwnCheckName = keyof typeof OWN_CHECKS;
