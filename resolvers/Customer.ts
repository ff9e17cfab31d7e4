import type { CustomerResolvers, LinkStatus } from '../src/generated/graphql.ts';
import { orNull } from '../src/errors/index.ts';
import { checkFirst, checkId } from '../src/validation.ts';
import { lazyEdge, lazyPageInfo } from '../src/connectors/store/index.ts';

// A payments cursor seals the payment id it resumes after with the customer it belongs to, so a
// page can only continue that customer's own list (src/connectors/store/cursors.ts).
const PAYMENTS = 'payments';

export const Customer: CustomerResolvers = {
  linkStatus: (c) => c.linkStatus.toUpperCase() as LinkStatus,

  linkReason: (c) => (c.linkStatus === 'pending' || c.linkStatus === 'needs_repair' ? c.linkError : null),

  payments: async (c, args, ctx) => {
    const first = checkFirst('first', args.first, 10);
    const signer = await ctx.connectors.store.cursors.signer();
    const opened = args.after == null ? null : signer.open(PAYMENTS, c.id, args.after);
    const after = opened === null ? null : checkId(ctx.connectors.payments.paymentIds, 'payment', 'after', typeof opened === 'string' ? opened : '');
    if (!c.paymentsCustomerId) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
    const page = await ctx.loaders.paymentPage.load({ providerCustomerId: c.paymentsCustomerId, first, after });
    const edges = page.items.map((node) => lazyEdge(node, () => signer.seal(PAYMENTS, c.id, node.id)));
    return { edges, pageInfo: lazyPageInfo(page.hasNextPage, edges) };
  },

  crmContact: (c, _args, ctx) => (c.crmContactId ? orNull(ctx.loaders.crmContactById.load(c.crmContactId)) : null),

  totalPaid: (c, _args, ctx) => (c.paymentsCustomerId ? ctx.loaders.totalPaid.load(c.paymentsCustomerId) : []),
};
