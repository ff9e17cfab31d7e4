// The links a completion tried (see AiCompletion): readable by whoever may run completions.
import type { AiAttempt as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ai:complete', 'deny');

export const AiAttempt: TypePolicy<Fields> = {
  provider: read,
  model: read,
  outcome: read,
  latencyMs: read,
};
