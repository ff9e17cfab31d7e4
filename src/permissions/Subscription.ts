// Streams: the same scopes as their request-and-answer twins (Mutation.complete), choosing the
// model included.
import type { Subscription as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

export const Subscription: TypePolicy<Fields> = {
  completeStream: policy('ai:complete', 'deny', { scopedArgs: { 'input.model': 'ai:models' } }),
};
