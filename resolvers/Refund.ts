import type { RefundReason, RefundResolvers } from '../src/generated/graphql.ts';
import { orNull } from '../src/errors/index.ts';

export const Refund: RefundResolvers = {
  reason: (r) => (r.reason ? (r.reason.toUpperCase() as RefundReason) : null),
  payment: (r, _args, ctx) => orNull(ctx.loaders.paymentById.load(r.paymentId)),
};
