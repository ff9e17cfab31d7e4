// Each connector as an operator sees it: circuit, last outcome, quota left, the last error with
// the code clients got for it, and the last five minutes' error rate and latency. Served by the
// `connectors` query and /health/ready from the same function.
import type { Connectors } from '../connectors/index.ts';
import { UpstreamError, toGraphQLError } from '../errors/index.ts';
import type { ConnectorHealth } from '../pipeline/index.ts';
import { connectorStats, type WindowStats } from './connectorStats.ts';

export interface ConnectorStatus extends Omit<ConnectorHealth, 'lastError'> {
  name: string;
  mode: string;
  baseUrl: string;
  lastError?: { kind: string; code: string; message: string; at: string };
  window: WindowStats;
}

/** The error code clients see for an upstream error kind (the one mapping in src/errors). */
export function codeForKind(connector: string, kind: UpstreamError['kind']): string {
  const mapped = toGraphQLError(new UpstreamError({ connector, operation: '', kind, message: '' }));
  return String(mapped?.extensions.code ?? 'INTERNAL_SERVER_ERROR');
}

export function connectorStatuses(c: Connectors): ConnectorStatus[] {
  const stats = connectorStats(c.pipeline);
  return c.instances.map((x) => {
    const { lastError, ...health } = c.pipeline.health(x.name);
    return {
      name: x.name,
      mode: x.mode,
      baseUrl: x.baseUrl,
      ...health,
      ...(lastError ? { lastError: { ...lastError, code: codeForKind(x.name, lastError.kind) } } : {}),
      window: stats.snapshot(x.name),
    };
  });
}
