// Token usage of a completion (see AiCompletion).
import type { AiUsage as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ai:complete', 'deny');

export const AiUsage: TypePolicy<Fields> = {
  promptTokens: read,
  completionTokens: read,
  totalTokens: read,
  cachedTokens: read,
  reasoningTokens: read,
};
