// An entry of the webhook inbox page (see WebhookEvent).
import type { WebhookEventEdge as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const WebhookEventEdge: TypePolicy<Fields> = {
  cursor: read,
  node: read,
};
