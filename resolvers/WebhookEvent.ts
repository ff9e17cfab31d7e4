// The webhook inbox: Query.webhookEvents pages through the store's rows (no job queue needed),
// Query.webhookBacklog counts what waits;
// the replays go through the events service, which reopens rows and enqueues their jobs in one
// transaction.
import type {
  MutationReplayWebhookEventArgs,
  MutationReplayWebhookEventsArgs,
  QueryWebhookEventsArgs,
  WebhookEventFilter,
  WebhookEventResolvers,
  WebhookEventStatus,
} from '../src/generated/graphql.ts';
import type { Context } from '../src/context.ts';
import type { WebhookEventRecord, WebhookFilter, WebhookStatus } from '../src/connectors/store/index.ts';
import { ErrorCode, NotFoundError, badInput, codedError } from '../src/errors/index.ts';
import { createRedactor } from '../src/plugins/audit/index.ts';
import { WEBHOOK_EVENT_ID, checkFirst, checkId, checkRange, checkText } from '../src/validation.ts';
import { lazyPageInfo } from '../src/connectors/store/index.ts';

function filterOf(f: WebhookEventFilter | null | undefined, field = 'filter'): WebhookFilter {
  return {
    provider: checkText(`${field}.provider`, f?.provider, 50),
    status: f?.status ? (f.status.toLowerCase() as WebhookStatus) : null,
    type: checkText(`${field}.type`, f?.type, 200),
    ...checkRange(field, f?.from, f?.to),
  };
}

// Without a job queue a replay could reopen rows but nothing would run them: refused as the
// unavailable subsystem it is (as the store is when the database is down), not as bad input.
function events(ctx: Context) {
  if (!ctx.services.events)
    throw codedError(ErrorCode.UPSTREAM_UNAVAILABLE, 'This server runs no job queue, so it cannot replay webhook events', { reason: 'no_job_queue' });
  return ctx.services.events;
}

export async function webhookEvents(_parent: unknown, args: QueryWebhookEventsArgs, ctx: Context) {
  const first = checkFirst('first', args.first, 20);
  const { items, totalCount, hasNextPage } = await ctx.connectors.store.webhooks.list(filterOf(args.filter), first, args.after);
  return { edges: items, totalCount, pageInfo: lazyPageInfo(hasNextPage, items) };
}

export async function replayWebhookEvent(_parent: unknown, args: MutationReplayWebhookEventArgs, ctx: Context): Promise<WebhookEventRecord> {
  const id = checkId(WEBHOOK_EVENT_ID, 'webhook event', 'id', args.id);
  const service = events(ctx);
  const event = await ctx.connectors.store.webhooks.get(id);
  if (!event || (await service.replay({ ids: [id] })) === 0) throw new NotFoundError('webhook event', id, 'id');
  // What the reopen wrote; a fresh read could already show the worker's next attempt.
  return { ...event, status: 'received', lastError: null };
}

export async function replayWebhookEvents(_parent: unknown, args: MutationReplayWebhookEventsArgs, ctx: Context): Promise<number> {
  const filter = filterOf(args.filter);
  // An empty filter would replay the whole inbox: that has to be asked for field by field.
  if (Object.values(filter).every((v) => v === null)) throw badInput('filter', 'filter must set at least one field');
  return events(ctx).replay(filter);
}

// What waits in the inbox: processed events are history, not a backlog, and are not counted.
const BACKLOG: WebhookStatus[] = ['received', 'failed', 'dead'];

export async function webhookBacklog(_parent: unknown, _args: unknown, ctx: Context) {
  const counts = await ctx.connectors.store.webhooks.backlog();
  return BACKLOG.map((status) => ({ status: status.toUpperCase() as WebhookEventStatus, count: counts[status] }));
}

// Without the server's redactor (a bare context) the strictest policy: every value redacted.
const FALLBACK_REDACT = createRedactor({ mode: 'all', names: [], aiPrompts: 'redact' });

export const WebhookEvent: WebhookEventResolvers = {
  status: (e) => e.status.toUpperCase() as WebhookEventStatus,
  // The payload as the audit trail would keep it as variables: bounded, PII and secrets masked.
  payloadJson: (e, _a, ctx) => JSON.stringify((ctx.services.redact ?? FALLBACK_REDACT)(e.payload) ?? null),
};
