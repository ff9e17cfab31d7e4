// Alerts firing now (Query.alerts): ops:read, like the connectors' state they are about.
import type { Alert as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const Alert: TypePolicy<Fields> = {
  condition: read,
  connector: read,
  operation: read,
  message: read,
  since: read,
};
