import type { QueryResolvers } from '../src/generated/graphql.ts';
import { CUSTOMER_ID, checkFirst, checkId, checkText } from '../src/validation.ts';
import { orNull } from '../src/errors/index.ts';
import { auditEvents } from './AuditEvent.ts';
import { connectors } from './ConnectorStatus.ts';
import { webhookBacklog, webhookEvents } from './WebhookEvent.ts';
import { alerts } from './Alert.ts';
import { auditChain } from './AuditChain.ts';
import { apiKeys } from './ApiKey.ts';
import { aiBudgets, aiUsage } from './AiUsageReport.ts';
import { workflowRun, workflowRuns } from './WorkflowRun.ts';
import { syncQueries } from './SyncRun.ts';
import { customersByLifecycleStage, paymentsReport, revenueReport } from './RevenueReport.ts';
import { lazyPageInfo } from '../src/connectors/store/index.ts';

export const Query: QueryResolvers = {
  customer: (_p, { id }, ctx) => orNull(ctx.loaders.customerById.load(checkId(CUSTOMER_ID, 'customer', 'id', id))),

  customers: async (_p, args, ctx) => {
    const first = checkFirst('first', args.first, 20);
    const search = checkText('search', args.search, 200);
    const { edges, totalCount, hasNextPage } = await ctx.connectors.store.customers.list({ first, after: args.after, search });
    ctx.loaders.primeCustomers(edges.map((e) => e.node));
    return { edges, totalCount, pageInfo: lazyPageInfo(hasNextPage, edges) };
  },

  payment: (_p, { id }, ctx) => orNull(ctx.loaders.paymentById.load(checkId(ctx.connectors.payments.paymentIds, 'payment', 'id', id))),

  crmContact: (_p, { id }, ctx) => orNull(ctx.loaders.crmContactById.load(checkId(ctx.connectors.crm.contactIds, 'crmContact', 'id', id))),

  auditEvents,

  connectors,

  alerts,

  webhookEvents,

  webhookBacklog,

  auditChain,

  apiKeys,

  aiUsage,

  aiBudgets,
  workflowRuns,

  workflowRun,

  ...syncQueries,
  revenueReport,
  paymentsReport,
  customersByLifecycleStage,
};
