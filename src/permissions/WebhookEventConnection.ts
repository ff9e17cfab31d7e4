// The webhook inbox page (see WebhookEvent).
import type { WebhookEventConnection as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const WebhookEventConnection: TypePolicy<Fields> = {
  edges: read,
  pageInfo: read,
  totalCount: read,
};
