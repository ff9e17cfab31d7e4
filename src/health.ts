// /health/live says the process answers; /health/ready says whether it can serve: the store must
// be up. Upstreams are reported but never make the gateway unready: with Stripe down it still
// serves everything else (partial data), so taking it out of the load balancer would be worse.
import type { Connectors } from './connectors/index.ts';

export interface Readiness {
  status: 'ready' | 'unready';
  store: Awaited<ReturnType<Connectors['store']['health']>>;
  connectors: { name: string; mode: string; baseUrl: string; state: string; lastCallAt?: string; lastError?: unknown }[];
}

export async function readiness(c: Connectors): Promise<Readiness> {
  const store = await c.store.health();
  const connectors = [c.payments, c.crm, c.ai].map((x) => ({ name: x.name, mode: x.mode, baseUrl: x.baseUrl, ...c.pipeline.state(x.name) }));
  return { status: store.state === 'up' ? 'ready' : 'unready', store, connectors };
}
