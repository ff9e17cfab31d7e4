// The sums of Query.aiUsage (see Query).
import type { AiUsageTotals as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const AiUsageTotals: TypePolicy<Fields> = {
  calls: read,
  cacheHits: read,
  estimatedCalls: read,
  unpricedCalls: read,
  promptTokens: read,
  completionTokens: read,
  cachedTokens: read,
  reasoningTokens: read,
  totalTokens: read,
  costUsd: read,
};
