// One minute of a connector's calls (ConnectorStatus.series): ops:read, as the rest of its status.
import type { ConnectorPoint as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

const read = policy('ops:read', 'deny');

export const ConnectorPoint: TypePolicy<Fields> = {
  at: read,
  calls: read,
  errors: read,
  latencyP50Ms: read,
  latencyP95Ms: read,
};
