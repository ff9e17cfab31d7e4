// /health/live says the process answers; /health/ready says whether it can serve: the store must
// be up. Upstreams are reported but never make the gateway unready: with Stripe down it still
// serves everything else (partial data), so taking it out of the load balancer would be worse.
import type { Connectors } from './connectors/index.ts';
import { connectorStatuses, type ConnectorStatus } from './ops/status.ts';
import { redisState } from './redis.ts';

export interface Readiness {
  status: 'ready' | 'unready';
  store: Awaited<ReturnType<Connectors['store']['health']>>;
  /** Where caches, limits and quotas live: memory (this process) or Redis (shared). */
  shared: { store: 'memory' | 'redis'; redis: 'none' | 'up' | 'down' };
  /** Circuit, last outcome and error (with its client code), quota, and the last 5 minutes' error rate and latency. */
  connectors: ConnectorStatus[];
}

export async function readiness(c: Connectors): Promise<Readiness> {
  const store = await c.store.health();
  const connectors = connectorStatuses(c);
  const shared = { store: c.pipeline.cache.kind, redis: redisState(c.redis) };
  return { status: store.state === 'up' ? 'ready' : 'unready', store, shared, connectors };
}
