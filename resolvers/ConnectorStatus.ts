// Query.connectors: each connector's circuit, recent error rate and latency, quota and last
// error, from the same function /health/ready uses (src/ops/status.ts); the hour's series, the
// policy in force and the last errors are read only when asked for.
import type { CircuitState, ConnectorState, ConnectorStatusResolvers } from '../src/generated/graphql.ts';
import type { Context } from '../src/context.ts';
import { codeForKind, connectorStatuses } from '../src/ops/status.ts';
import { connectorSeries } from '../src/ops/connectorSeries.ts';

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
  series: (s, _a, ctx) =>
    connectorSeries(ctx.connectors.pipeline)
      .points(s.name)
      .map((p) => ({ at: p.at, calls: p.calls, errors: p.errors, latencyP50Ms: p.p50Ms, latencyP95Ms: p.p95Ms })),
  policy: (s, _a, ctx) => {
    try {
      return ctx.connectors.pipeline.policy(s.name);
    } catch {
      // A connector without policy defaults (none today): the field says so rather than fail the list.
      return null;
    }
  },
  recentErrors: (s, _a, ctx) => ctx.connectors.pipeline.recentErrors(s.name).map((e) => ({ ...e, code: codeForKind(s.name, e.kind) })),
};
