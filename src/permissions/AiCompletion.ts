// The answer of Mutation.complete: readable by whoever may run completions.
import type { AiCompletion as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ai:complete', 'deny');

export const AiCompletion: TypePolicy<Fields> = {
  id: read,
  text: read,
  model: read,
  provider: read,
  capability: read,
  finishReason: read,
  usage: read,
  latencyMs: read,
  attempts: read,
  costUsd: read,
  cached: read,
  estimated: read,
};
