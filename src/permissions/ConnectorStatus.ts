// Operational state of each connector (Query.connectors): ops:read (operators, admins, services
// granted it).
import type { ConnectorStatus as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const ConnectorStatus: TypePolicy<Fields> = {
  name: read,
  mode: read,
  circuit: read,
  state: read,
  lastCallAt: read,
  windowSeconds: read,
  calls: read,
  errorRate: read,
  latencyP50Ms: read,
  latencyP95Ms: read,
  quota: read,
  lastError: read,
  series: read,
  policy: read,
  recentErrors: read,
};
