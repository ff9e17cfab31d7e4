// The transport's own metrics, on the server's registry beside the operation metrics (which
// count WebSocket operations too, through the same Apollo plugin as HTTP).
import { Counter, Gauge, type Registry } from 'prom-client';

export interface WebSocketMetrics {
  connections: Gauge;
  refusedConnections: Counter<'reason'>;
  operations: Counter<'operation_type' | 'outcome'>;
}

export function webSocketMetrics(registry: Registry): WebSocketMetrics {
  const registers = [registry];
  return {
    connections: new Gauge({
      name: 'switchyard_websocket_connections',
      help: 'Open GraphQL-over-WebSocket connections at /graphql (initialised or not).',
      registers,
    }),
    refusedConnections: new Counter({
      name: 'switchyard_websocket_connections_refused_total',
      help: 'Sockets closed for their credential: reason="credential" (4403, at connection_init or when an operation checked it again) or "unavailable" (1013: it could not be checked at connection_init).',
      labelNames: ['reason'],
      registers,
    }),
    operations: new Counter({
      name: 'switchyard_websocket_operations_total',
      help: 'Operations received over WebSocket by type (query, mutation, subscription, unknown) and outcome (ok, partial, error, denied, invalid, limited, cancelled).',
      labelNames: ['operation_type', 'outcome'],
      registers,
    }),
  };
}
