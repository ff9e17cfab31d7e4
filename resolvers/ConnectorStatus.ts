// Query.connectors: each connector's circuit, recent error rate and latency, quota and last
// error, from the same function /health/ready uses (src/ops/status.ts).
import type { CircuitState, ConnectorState, ConnectorStatusResolvers } from '../src/generated/graphql.ts';
import type { Context } from '../src/context.ts';
import { connectorStatuses } from '../src/ops/status.ts';

export const connectors = (_parent: unknown, _args: unknown, ctx: Context) => connectorStatuses(ctx.connectors);

export const ConnectorStatus: ConnectorStatusResolvers = {
  name: (s) => s.name,
  mode: (s) => s.mode,
  circuit: (s) => s.circuit.toUpperCase() as CircuitState,
  state: (s) => s.state.toUpperCase() as ConnectorState,
  lastCallAt: (s) => s.lastCallAt ?? null,
  windowSeconds: (s) => s.window.windowSeconds,
  calls: (s) => s.window.calls,
  errorRate: (s) => s.window.errorRate,
  latencyP50Ms: (s) => s.window.p50Ms,
  latencyP95Ms: (s) => s.window.p95Ms,
  quota: (s) => (s.quotaRemaining ? { remaining: s.quotaRemaining.points, limit: s.quotaRemaining.of } : null),
  lastError: (s) => s.lastError ?? null,
};
