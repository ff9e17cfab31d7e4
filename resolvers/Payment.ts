import type { PaymentResolvers, PaymentStatus } from '../src/generated/graphql.ts';

export const Payment: PaymentResolvers = {
  amountRefunded: (p) => ({ amount: p.amountRefunded, currency: p.amount.currency }),
  status: (p) => p.status.toUpperCase() as PaymentStatus,
  customer: (p, _args, ctx) => (p.providerCustomerId ? ctx.loaders.customerByStripeId.load(p.providerCustomerId) : null),
  refunds: (p, _args, ctx) => ctx.loaders.refundsByPayment.load(p.id),
};
