import type { RefundReason, RefundResolvers } from '../src/generated/graphql.ts';

export const Refund: RefundResolvers = {
  reason: (r) => (r.reason ? (r.reason.toUpperCase() as RefundReason) : null),
  payment: (r, _args, ctx) => ctx.loaders.paymentById.load(r.paymentId),
};
