// API keys (Query.apiKeys, Mutation.createApiKey / revokeApiKey): keys:admin, which admins hold
// and operators never do. A key's record holds no secret: only its hash is stored, never shown.
import type { ApiKey as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const admin = policy('keys:admin', 'deny');

export const ApiKey: TypePolicy<Fields> = {
  id: admin,
  name: admin,
  role: admin,
  scopes: admin,
  kind: admin,
  createdAt: admin,
  lastUsedAt: admin,
  revokedAt: admin,
  expiresAt: admin,
};
