import type { CrmContactResolvers } from '../src/generated/graphql.ts';

export const CrmContact: CrmContactResolvers = {
  customer: (c, _args, ctx) => ctx.loaders.customerByCrmId.load(c.id),
};
