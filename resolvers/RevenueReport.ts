// Query.revenueReport, Query.paymentsReport and Query.customersByLifecycleStage: the reports
// (src/reports/) over the store's report views, the same figures a BI tool reads.
import type { PaymentStatus, QueryResolvers } from '../src/generated/graphql.ts';
import { checkCurrency, checkDays, customersByLifecycleStage as byStage, paymentsReport as payments, revenueReport as revenue } from '../src/reports/index.ts';

export const revenueReport: QueryResolvers['revenueReport'] = (_p, args, ctx) =>
  revenue(ctx.connectors.store.reports, checkDays(args.from, args.to), checkCurrency('currency', args.currency));

export const paymentsReport: QueryResolvers['paymentsReport'] = async (_p, args, ctx) => {
  const report = await payments(ctx.connectors.store.reports, checkDays(args.from, args.to));
  return { ...report, groups: report.groups.map((g) => ({ ...g, status: g.status.toUpperCase() as PaymentStatus })) };
};

export const customersByLifecycleStage: QueryResolvers['customersByLifecycleStage'] = (_p, _args, ctx) => byStage(ctx.connectors.store.reports);
