// The answer of Mutation.createApiKey: the key's record and, this once, its secret (keys:admin).
import type { CreatedApiKey as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const admin = policy('keys:admin', 'deny');

export const CreatedApiKey: TypePolicy<Fields> = {
  apiKey: admin,
  secret: admin,
};
