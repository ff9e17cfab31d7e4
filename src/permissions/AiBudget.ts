// Query.aiBudgets (see Query).
import type { AiBudget as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const AiBudget: TypePolicy<Fields> = {
  name: read,
  capability: read,
  principalId: read,
  limitUsd: read,
  spentUsd: read,
  remainingUsd: read,
  limitTokens: read,
  spentTokens: read,
  remainingTokens: read,
  resetsAt: read,
};
