import type { CustomerResolvers, LinkStatus } from '../src/generated/graphql.ts';
import { checkFirst, checkId } from '../src/validation.ts';

export const Customer: CustomerResolvers = {
  linkStatus: (c) => c.linkStatus.toUpperCase() as LinkStatus,

  payments: async (c, args, ctx) => {
    const first = checkFirst('first', args.first, 10);
    const after = args.after ? checkId('payment', 'after', args.after) : null;
    if (!c.stripeCustomerId) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
    const page = await ctx.loaders.paymentPage.load({ providerCustomerId: c.stripeCustomerId, first, after });
    const edges = page.items.map((node) => ({ cursor: node.id, node }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  },

  crmContact: (c, _args, ctx) => (c.crmContactId ? ctx.loaders.crmContactById.load(c.crmContactId) : null),

  totalPaid: (c, _args, ctx) => (c.stripeCustomerId ? ctx.loaders.totalPaid.load(c.stripeCustomerId) : []),
};
