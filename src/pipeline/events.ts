// What the pipeline tells the rest of the process: one event per finished call (metrics, traces,
// the audit record's calls, the connector statistics and the alerts all read these) and every
// change of a connector's circuit. Each call event is also kept on the operation it was made for.
import type { UpstreamError } from '../errors/upstream.ts';
import type { ConnectorHealth } from './connector.ts';
import { currentScope } from './scope.ts';

export interface CallEvent {
  connector: string;
  operation: string;
  /** Upstream attempts made (0 for a cache hit). */
  attempts: number;
  outcome: 'ok' | UpstreamError['kind'];
  latencyMs: number;
  cacheHit: boolean;
  /** The read goes through the cache (a cache key and a TTL): not a hit means a miss. */
  cacheable: boolean;
  /** Answered from an expired cache entry because the upstream failed. */
  stale: boolean;
}

export type CircuitListener = (connector: string, state: ConnectorHealth['circuit']) => void;

export class PipelineEvents {
  private readonly calls = new Set<(event: CallEvent) => void>();
  private readonly circuits = new Set<CircuitListener>();

  /** Subscribes to one event per finished call; returns the unsubscribe function. */
  onEvent(listener: (event: CallEvent) => void): () => void {
    this.calls.add(listener);
    return () => this.calls.delete(listener);
  }

  /** Subscribes to circuit state changes (closed, open, half_open) of every connector. */
  onCircuitChange(listener: CircuitListener): () => void {
    this.circuits.add(listener);
    return () => this.circuits.delete(listener);
  }

  call(event: CallEvent): void {
    currentScope()?.calls.push(event);
    for (const listener of this.calls) listener(event);
  }

  readonly circuit: CircuitListener = (connector, state) => {
    for (const listener of this.circuits) listener(connector, state);
  };
}
