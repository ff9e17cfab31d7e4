// One event of Subscription.completeStream: readable by whoever may run completions.
import type { AiStreamEvent as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ai:complete', 'deny');

export const AiStreamEvent: TypePolicy<Fields> = {
  delta: read,
  completion: read,
};
