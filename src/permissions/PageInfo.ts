// Paging state of any connection: nothing of its own to protect; the connection it belongs to
// was checked.
import type { PageInfo as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

export const PageInfo: TypePolicy<Fields> = {
  hasNextPage: policy([], 'reached'),
  endCursor: policy([], 'reached'),
};
