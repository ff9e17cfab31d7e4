// /health/live says the process answers; /health/ready says whether it can serve: the store must
// be up. Upstreams are reported but never make the gateway unready: with the payments provider down it still
// serves everything else (partial data), so taking it out of the load balancer would be worse.
//
// A load balancer or anyone else without a credential gets states only. Error messages, base
// URLs, modes, quotas and latencies tell an outsider how the deployment is built and what is
// failing inside it, so they need a credential with ops:read (the `connectors` query's scope).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { Connectors } from './connectors/index.ts';
import type { Authenticate } from './auth/resolve.ts';
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

/** What every caller may see. */
export interface ReadinessStates {
  status: Readiness['status'];
  store: { state: Readiness['store']['state'] };
  shared: { redis: Readiness['shared']['redis'] };
  connectors: Pick<ConnectorStatus, 'name' | 'state' | 'circuit'>[];
}

export async function readiness(c: Connectors): Promise<Readiness> {
  const store = await c.store.health();
  const connectors = connectorStatuses(c);
  const shared = { store: c.pipeline.cache.kind, redis: redisState(c.redis) };
  return { status: store.state === 'up' ? 'ready' : 'unready', store, shared, connectors };
}

export function statesOnly(r: Readiness): ReadinessStates {
  return {
    status: r.status,
    store: { state: r.store.state },
    shared: { redis: r.shared.redis },
    connectors: r.connectors.map(({ name, state, circuit }) => ({ name, state, circuit })),
  };
}

/** A refused credential answers here as on /graphql: its status (401, or 503 when the JWKS is away), challenge and coded error. */
function refuse(reply: FastifyReply, err: unknown): FastifyReply {
  const e = err as Partial<GraphQLError>;
  const http = e.extensions?.http as { status: number; headers?: Map<string, string> };
  for (const [name, value] of http.headers ?? []) void reply.header(name, value);
  const { http: _http, ...extensions } = e.extensions ?? {};
  return reply.status(http.status).send({ errors: [{ message: e.message, extensions }] });
}

export function registerHealthRoutes(app: FastifyInstance, opts: { connectors: Connectors; authenticate: Authenticate }): void {
  app.get('/health/live', async () => ({ status: 'live' }));
  app.get('/health/ready', async (request, reply) => {
    let details = false;
    try {
      details = (await opts.authenticate(request.headers, request.log as Logger, request.ip)).scopes.has('ops:read');
    } catch (err) {
      const refused = (err as Partial<GraphQLError>).extensions?.http;
      if (refused) return refuse(reply, err);
      // The key cannot be checked (its store is down): states only, which say just that.
      request.log.warn({ err }, 'health: credential not checked; answering states only');
    }
    const ready = await readiness(opts.connectors);
    return reply.status(ready.status === 'ready' ? 200 : 503).send(details ? ready : statesOnly(ready));
  });
}
