import type { PaymentResolvers, PaymentStatus } from '../src/generated/graphql.ts';
import { orNull } from '../src/errors/index.ts';

export const Payment: PaymentResolvers = {
  amountRefunded: (p) => ({ amount: p.amountRefunded, currency: p.amount.currency }),
  status: (p) => p.status.toUpperCase() as PaymentStatus,
  customer: (p, _args, ctx) => (p.providerCustomerId ? orNull(ctx.loaders.customerByPaymentsId.load(p.providerCustomerId)) : null),
  // The refunds come with the payment (one call for a whole page of payments); the loader only
  // lists them for a payment that has more than the provider embeds.
  refunds: (p, _args, ctx) => p.refunds ?? ctx.loaders.refundsByPayment.load(p.id),
};
