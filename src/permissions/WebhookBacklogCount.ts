// The webhook inbox by status (Query.webhookBacklog): ops:read, like the inbox itself.
import type { WebhookBacklogCount as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const WebhookBacklogCount: TypePolicy<Fields> = {
  status: read,
  count: read,
};
