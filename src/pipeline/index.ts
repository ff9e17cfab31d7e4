// One path for every outside call: `pipeline.call(spec, (signal) => sdkCall(...))`.
// This first cut owns the deadline (an AbortSignal that reaches the SDK), the mapping of SDK
// errors into the taxonomy, response validation, and one event per call for audit and metrics.
// Retries, breakers, caching and quotas compose around the same call in the order DESIGN.md gives.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { z } from 'zod';
import { UpstreamError } from '../errors/upstream.ts';
import { currentScope } from './scope.ts';

export interface CallSpec<S extends z.ZodType> {
  connector: string;
  operation: string;
  /** Safe to repeat: reads, or writes carrying an idempotency key the upstream honours. */
  idempotent: boolean;
  /** What we read from the response; a mismatch is a contract change, not a crash. */
  schema: S;
  timeoutMs?: number;
}

export interface CallEvent {
  connector: string;
  operation: string;
  attempts: number;
  outcome: 'ok' | UpstreamError['kind'];
  latencyMs: number;
  cacheHit: boolean;
}

/** What /health/ready shows per connector until breakers report their own state. */
export interface ConnectorState {
  state: 'unknown' | 'up' | 'failing';
  lastCallAt?: string;
  lastError?: { kind: UpstreamError['kind']; message: string; at: string };
}

export type ErrorClassifier = (err: unknown, operation: string) => UpstreamError;

export interface PipelineOptions {
  timeoutMs: number;
  onEvent?: (event: CallEvent) => void;
}

const callSignal = new AsyncLocalStorage<AbortSignal>();

/** The deadline of the pipeline call in progress, for SDKs that only take a fetch function. */
export function currentCallSignal(): AbortSignal | undefined {
  return callSignal.getStore();
}

export class Pipeline {
  private readonly listeners = new Set<(event: CallEvent) => void>();
  private readonly states = new Map<string, ConnectorState>();

  constructor(private readonly options: PipelineOptions) {
    if (options.onEvent) this.listeners.add(options.onEvent);
  }

  /** Subscribes to one event per finished call; returns the unsubscribe function. */
  onEvent(listener: (event: CallEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A caller bound to one connector and its error classifier. */
  for(connector: string, classify: ErrorClassifier) {
    return <S extends z.ZodType>(
      operation: string,
      opts: { idempotent: boolean; schema: S; timeoutMs?: number },
      fn: (signal: AbortSignal) => Promise<unknown>,
    ): Promise<z.output<S>> => this.call({ connector, operation, ...opts }, fn, classify);
  }

  async call<S extends z.ZodType>(spec: CallSpec<S>, fn: (signal: AbortSignal) => Promise<unknown>, classify: ErrorClassifier): Promise<z.output<S>> {
    const started = performance.now();
    const timeoutMs = spec.timeoutMs ?? this.options.timeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      let raw: unknown;
      try {
        raw = await callSignal.run(signal, () => fn(signal));
      } catch (err) {
        if (signal.aborted) {
          throw new UpstreamError({ connector: spec.connector, operation: spec.operation, kind: 'timeout', message: `No answer within ${timeoutMs} ms`, cause: err });
        }
        throw err instanceof UpstreamError ? err : classify(err, spec.operation);
      }
      const parsed = spec.schema.safeParse(raw);
      if (!parsed.success) {
        throw new UpstreamError({
          connector: spec.connector,
          operation: spec.operation,
          kind: 'contract',
          message: `Response does not match the expected shape: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        });
      }
      this.emit(spec, started, 'ok');
      return parsed.data;
    } catch (err) {
      this.emit(spec, started, err instanceof UpstreamError ? err.kind : 'transient', err);
      throw err;
    }
  }

  state(connector: string): ConnectorState {
    return this.states.get(connector) ?? { state: 'unknown' };
  }

  private emit(spec: CallSpec<z.ZodType>, started: number, outcome: CallEvent['outcome'], err?: unknown): void {
    const at = new Date().toISOString();
    const prev = this.states.get(spec.connector);
    // Only the upstream's own failures make it 'failing'; a rejected input or a missing object does not.
    const failing = outcome === 'transient' || outcome === 'timeout' || outcome === 'auth' || outcome === 'contract' || outcome === 'rate_limited';
    this.states.set(spec.connector, {
      state: failing ? 'failing' : 'up',
      lastCallAt: at,
      lastError: outcome === 'ok' ? prev?.lastError : { kind: outcome, message: (err as Error | undefined)?.message ?? outcome, at },
    });
    const event: CallEvent = { connector: spec.connector, operation: spec.operation, attempts: 1, outcome, latencyMs: performance.now() - started, cacheHit: false };
    currentScope()?.calls.push(event);
    for (const listener of this.listeners) listener(event);
  }
}
