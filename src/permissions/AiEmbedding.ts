// The answer of Mutation.embed: readable by whoever may run AI calls.
import type { AiEmbedding as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ai:complete', 'deny');

export const AiEmbedding: TypePolicy<Fields> = {
  vectors: read,
  dimensions: read,
  model: read,
  provider: read,
  capability: read,
  usage: read,
  costUsd: read,
  latencyMs: read,
  attempts: read,
};
