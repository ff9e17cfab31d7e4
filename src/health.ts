// /health/live says the process answers; /health/ready says whether it can serve: the store must
// be up. Upstreams are reported but never make the gateway unready: with Stripe down it still
// serves everything else (partial data), so taking it out of the load balancer would be worse.
import type { Connectors } from './connectors/index.ts';
import type { ConnectorHealth } from './pipeline/index.ts';
import { redisState } from './redis.ts';

export interface Readiness {
  status: 'ready' | 'unready';
  store: Awaited<ReturnType<Connectors['store']['health']>>;
  /** Where caches, limits and quotas live: memory (this process) or Redis (shared). */
  shared: { store: 'memory' | 'redis'; redis: 'none' | 'up' | 'down' };
  connectors: ({ name: string; mode: string; baseUrl: string } & ConnectorHealth)[];
}

export async function readiness(c: Connectors): Promise<Readiness> {
  const store = await c.store.health();
  const connectors = [c.payments, c.crm, c.ai].map((x) => ({ name: x.name, mode: x.mode, baseUrl: x.baseUrl, ...c.pipeline.health(x.name) }));
  const shared = { store: c.pipeline.cache.kind, redis: redisState(c.redis) };
  return { status: store.state === 'up' ? 'ready' : 'unready', store, shared, connectors };
}
