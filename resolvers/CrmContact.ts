import type { CrmContactResolvers } from '../src/generated/graphql.ts';
import { orNull } from '../src/errors/index.ts';

export const CrmContact: CrmContactResolvers = {
  customer: (c, _args, ctx) => orNull(ctx.loaders.customerByCrmId.load(c.id)),
};
