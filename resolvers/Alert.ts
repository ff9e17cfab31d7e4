// Query.alerts: the conditions the alert monitor (src/alerts/monitor.ts) holds as firing on this
// server, newest first. An alert's `at` is when it fired: it is kept until the condition clears.
import type { AlertResolvers } from '../src/generated/graphql.ts';
import type { Context } from '../src/context.ts';

export const alerts = (_parent: unknown, _args: unknown, ctx: Context) =>
  [...(ctx.services.alerts?.firing() ?? [])].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));

export const Alert: AlertResolvers = {
  since: (a) => a.at,
};
