// A connector's last error (see ConnectorStatus).
import type { ConnectorError as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const ConnectorError: TypePolicy<Fields> = {
  kind: read,
  code: read,
  message: read,
  at: read,
};
