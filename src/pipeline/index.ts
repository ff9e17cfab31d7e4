// One path for every outside call: `pipeline.for(connector, classify)(operation, options, fn)`.
// Policies compose in the order DESIGN.md gives, outermost first:
//   cache (single-flight, stale-if-error)          cache-policy.ts
//   -> outbound quota -> bulkhead
//   -> circuit breaker                              guard.ts, on the connector's runtime (runtimes.ts)
//   -> retry (-> outbound quota again for each retry) -> timeout -> call
//   -> response validation                          attempts.ts
// and every finished call is one event (events.ts). The inbound limit runs once per operation,
// in plugins/ratelimit. Fallback to another provider is above the connectors (the AI router,
// src/ai/), each link through its own instance's pipeline. This file is the composition; what each kind of error means to each
// policy is the kinds table (errors/kinds.ts); the mechanisms are cockatiel,
// rate-limiter-flexible, lru-cache and ioredis.
import type { z } from 'zod';
import type { Logger } from 'pino';
import { UpstreamError } from '../errors/upstream.ts';
import type { CacheStore } from './cache/index.ts';
import type { ErrorClassifier } from './attempts.ts';
import { CachePolicy } from './cache-policy.ts';
import type { ConnectorErrorEntry, ConnectorHealth } from './connector.ts';
import { PipelineEvents, type CallEvent } from './events.ts';
import { guarded, type GuardOptions } from './guard.ts';
import type { CallPolicy, ConnectorName, PolicyTable } from './policies.ts';
import { ConnectorRuntimes } from './runtimes.ts';
import { SharedMarks } from './marks.ts';

export { currentCallSignal } from './signal.ts';
export type { ErrorClassifier } from './attempts.ts';
export type { ConnectorErrorEntry, ConnectorHealth } from './connector.ts';
export type { CallPolicy } from './policies.ts';
export type { CallEvent } from './events.ts';

export interface CallOptions<S extends z.ZodType> extends GuardOptions<S> {
  /** Makes a read cacheable: the arguments that identify it (the connector and operation are added). */
  cacheKey?: string;
  /** Tags the cached read is filed under, so a write can invalidate it. */
  tags?: readonly string[];
  /** Tags a successful write invalidates. */
  invalidates?: readonly string[];
}

export interface PipelineOptions {
  policies: PolicyTable;
  cache: CacheStore;
  redis?: import('ioredis').Redis;
  logger: Logger;
  /** Most of a provider's quota window one principal may take (0-1; a connector's policy may override it). Default 0.5. */
  principalShare?: number;
}

/** Runs one whole call (all its attempts) inside the caller's own code: tracing makes it a span. */
export type CallWrapper = <T>(connector: string, operation: string, run: () => Promise<T>) => Promise<T>;

export class Pipeline {
  private readonly events = new PipelineEvents();
  private readonly runtimes: ConnectorRuntimes;
  private readonly cachePolicy: CachePolicy;
  /** Short-lived facts shared by every replica (Redis) or this process (memory), e.g. read-your-writes windows. */
  readonly marks: SharedMarks;
  private wrapper: CallWrapper | undefined;

  constructor(private readonly options: PipelineOptions) {
    this.runtimes = new ConnectorRuntimes(options.policies, options.redis, this.events.circuit, options.principalShare ?? 0.5);
    this.cachePolicy = new CachePolicy(options.cache);
    this.marks = new SharedMarks(options.redis);
  }

  get cache(): CacheStore {
    return this.options.cache;
  }

  /** Subscribes to one event per finished call; returns the unsubscribe function. */
  onEvent(listener: (event: CallEvent) => void): () => void {
    return this.events.onEvent(listener);
  }

  /** Runs every call made through `for(...)` inside `wrap` (undefined removes it). */
  wrapCalls(wrap: CallWrapper | undefined): void {
    this.wrapper = wrap;
  }

  /** Subscribes to circuit state changes (closed, open, half_open) of every connector. */
  onCircuitChange(listener: (connector: string, state: ConnectorHealth['circuit']) => void): () => void {
    return this.events.onCircuitChange(listener);
  }

  health(connector: string): ConnectorHealth {
    return this.runtimes.health(connector);
  }

  /** The connector's last errors, newest first (at most RECENT_ERRORS). */
  recentErrors(connector: string): ConnectorErrorEntry[] {
    return this.runtimes.get(connector).recentErrors();
  }

  /** The connector-wide policy in force for an instance (POLICY_FILE over its module's defaults). */
  policy(connector: string): CallPolicy {
    return this.runtimes.get(connector).callPolicy;
  }

  /** A caller bound to one connector and its error classifier; `policy` names an instance's kind in the policy table. */
  for(connector: string, classify: ErrorClassifier, policy?: ConnectorName) {
    if (policy) this.runtimes.setPolicy(connector, policy);
    return <S extends z.ZodType>(operation: string, opts: CallOptions<S>, fn: (signal: AbortSignal) => Promise<unknown>): Promise<z.output<S>> => {
      const run = () => this.call(connector, operation, opts, fn, classify);
      return this.wrapper ? this.wrapper(connector, operation, run) : run();
    };
  }

  /** Drops cached reads filed under these tags (a failure to reach the cache is logged, not thrown). */
  async invalidate(tags: readonly string[]): Promise<void> {
    if (tags.length) await this.options.cache.invalidate(tags).catch((err: unknown) => this.options.logger.warn({ err, tags }, 'cache invalidation failed'));
  }

  async call<S extends z.ZodType>(
    connector: string,
    operation: string,
    opts: CallOptions<S>,
    fn: (signal: AbortSignal) => Promise<unknown>,
    classify: ErrorClassifier,
  ): Promise<z.output<S>> {
    const started = performance.now();
    const policy = this.runtimes.policy(connector, operation);
    const cacheable = opts.cacheKey !== undefined && policy.cacheTtlMs > 0;
    const event = { connector, operation, attempts: 0, cacheHit: false, cacheable, stale: false };
    // A cached read's load is shared, so it outlives any one caller: another request may be waiting on it.
    const protectedCall = { connector, operation, policy, opts, classify, event, followCallerSignal: !cacheable };
    const load = () => guarded(this.runtimes.get(connector), protectedCall, fn);
    try {
      let value: z.output<S>;
      if (cacheable) {
        const read = {
          key: CachePolicy.key(connector, operation, opts.cacheKey!),
          ttlMs: policy.cacheTtlMs,
          staleTtlMs: policy.staleTtlMs,
          tags: opts.tags ?? [],
        };
        value = await this.cachePolicy.execute(read, load, event);
      } else {
        value = await load();
        if (opts.invalidates?.length) await this.invalidate(opts.invalidates);
      }
      this.events.call({ ...event, outcome: 'ok', latencyMs: performance.now() - started });
      return value;
    } catch (err) {
      this.events.call({ ...event, outcome: err instanceof UpstreamError ? err.kind : 'transient', latencyMs: performance.now() - started });
      throw err;
    }
  }
}
