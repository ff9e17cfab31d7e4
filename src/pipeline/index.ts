// One path for every outside call: `pipeline.for(connector, classify)(operation, options, fn)`.
// Policies compose in the order DESIGN.md gives, outermost first:
//   cache (single-flight, stale-if-error) -> fallback -> outbound quota -> bulkhead
//   -> circuit breaker -> retry (-> outbound quota again for each retry) -> timeout -> call
//   -> response validation
// The quota is taken per attempt and fairly between principals (quota.ts). The first attempt's
// is taken before the bulkhead and the breaker, so a call waiting for quota holds no slot and
// our own refusal never reaches the breaker (where a half-open trial would count it a success).
// (the inbound limit runs once per operation, in plugins/ratelimit). This file is the
// composition; the mechanisms are cockatiel, rate-limiter-flexible, lru-cache and ioredis.
import { createHash } from 'node:crypto';
import { BrokenCircuitError, BulkheadRejectedError } from 'cockatiel';
import type { z } from 'zod';
import type { Logger } from 'pino';
import { UpstreamError } from '../errors/upstream.ts';
import type { CacheEntry, CacheStore } from './cache/index.ts';
import { withRetries, type ErrorClassifier } from './attempts.ts';
import { ConnectorRuntime, type ConnectorHealth } from './connector.ts';
import type { ConnectorName, PolicyTable } from './policies.ts';
import { currentScope } from './scope.ts';
import { SharedMarks } from './marks.ts';

export { currentCallSignal } from './signal.ts';
export type { ErrorClassifier } from './attempts.ts';
export type { ConnectorHealth } from './connector.ts';

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

export interface CallOptions<S extends z.ZodType> {
  /** Safe to repeat: a read, or a write carrying an idempotency key the upstream honours. */
  idempotent: boolean;
  /** What we read from the response; a mismatch is a contract change, not a crash. */
  schema: S;
  /** Makes a read cacheable: the arguments that identify it (the connector and operation are added). */
  cacheKey?: string;
  /** Tags the cached read is filed under, so a write can invalidate it. */
  tags?: readonly string[];
  /** Tags a successful write invalidates. */
  invalidates?: readonly string[];
  /** Answers instead when the upstream is unavailable (e.g. a fallback model). */
  fallback?: () => Promise<unknown>;
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

const STALE_OK = new Set<UpstreamError['kind']>(['transient', 'timeout', 'rate_limited', 'circuit_open', 'busy']);

export class Pipeline {
  private readonly listeners = new Set<(event: CallEvent) => void>();
  private readonly circuitListeners = new Set<(connector: string, state: ConnectorHealth['circuit']) => void>();
  private readonly runtimes = new Map<string, ConnectorRuntime>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** Short-lived facts shared by every replica (Redis) or this process (memory), e.g. read-your-writes windows. */
  readonly marks: SharedMarks;
  private readonly policyOf = new Map<string, ConnectorName>();
  private wrapper: CallWrapper | undefined;

  constructor(private readonly options: PipelineOptions) {
    this.marks = new SharedMarks(options.redis);
  }

  get cache(): CacheStore {
    return this.options.cache;
  }

  /** Subscribes to one event per finished call; returns the unsubscribe function. */
  onEvent(listener: (event: CallEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs every call made through `for(...)` inside `wrap` (undefined removes it). */
  wrapCalls(wrap: CallWrapper | undefined): void {
    this.wrapper = wrap;
  }

  /** Subscribes to circuit state changes (closed, open, half_open) of every connector. */
  onCircuitChange(listener: (connector: string, state: ConnectorHealth['circuit']) => void): () => void {
    this.circuitListeners.add(listener);
    return () => this.circuitListeners.delete(listener);
  }

  // Several instances of one kind (two notification transports) share their kind's policy
  // defaults, each with its own runtime: breaker, bulkhead and quota are keyed by instance name.
  private policyName(connector: string): ConnectorName {
    return this.policyOf.get(connector) ?? (connector as ConnectorName);
  }

  private runtime(connector: string): ConnectorRuntime {
    let rt = this.runtimes.get(connector);
    if (!rt) {
      const notify = (name: string, state: ConnectorHealth['circuit']) => this.circuitListeners.forEach((l) => l(name, state));
      rt = new ConnectorRuntime(connector, this.options.policies.connector(this.policyName(connector)), this.options.redis, notify, this.options.principalShare ?? 0.5);
      this.runtimes.set(connector, rt);
    }
    return rt;
  }

  health(connector: string): ConnectorHealth {
    return this.runtime(connector).health();
  }

  /** A caller bound to one connector and its error classifier; `policy` names an instance's kind in the policy table. */
  for(connector: string, classify: ErrorClassifier, policy?: ConnectorName) {
    if (policy) this.policyOf.set(connector, policy);
    return <S extends z.ZodType>(operation: string, opts: CallOptions<S>, fn: (signal: AbortSignal) => Promise<unknown>): Promise<z.output<S>> => {
      const run = () => this.call(connector, operation, opts, fn, classify);
      return this.wrapper ? this.wrapper(connector, operation, run) : run();
    };
  }

  /** Drops cached reads filed under these tags (a failure to reach the cache is logged, not thrown). */
  async invalidate(tags: readonly string[]): Promise<void> {
    if (tags.length) await this.options.cache.invalidate(tags).catch((err: unknown) => this.options.logger.warn({ err, tags }, 'cache invalidation failed'));
  }

  async call<S extends z.ZodType>(connector: string, operation: string, opts: CallOptions<S>, fn: (signal: AbortSignal) => Promise<unknown>, classify: ErrorClassifier): Promise<z.output<S>> {
    const started = performance.now();
    const policy = this.options.policies.forOperation(this.policyName(connector), operation);
    const event = { connector, operation, attempts: 0, cacheHit: false, cacheable: opts.cacheKey !== undefined && policy.cacheTtlMs > 0, stale: false };
    const finish = (outcome: CallEvent['outcome']) => this.emit({ ...event, outcome, latencyMs: performance.now() - started });
    try {
      let value: z.output<S>;
      if (opts.cacheKey !== undefined && policy.cacheTtlMs > 0) {
        const key = `${connector}:${operation}:${digest(opts.cacheKey)}`;
        const cached = await this.options.cache.get(key).catch(() => undefined);
        if (cached && cached.freshUntil > Date.now()) {
          event.cacheHit = true;
          value = cached.value as z.output<S>;
        } else {
          value = (await this.singleFlight(key, async () => {
            try {
              // A shared load outlives any one caller: another request may be waiting on it.
              const fresh = await this.guarded(connector, operation, policy, opts, fn, classify, event, false);
              const now = Date.now();
              const entry: CacheEntry = { value: fresh, storedAt: now, freshUntil: now + policy.cacheTtlMs };
              // Not awaited: the caller gets its answer without waiting for the cache write.
              void this.options.cache.set(key, entry, policy.cacheTtlMs + policy.staleTtlMs, opts.tags ?? []).catch(() => undefined);
              return fresh;
            } catch (err) {
              // stale-if-error: an expired copy beats no answer while the upstream is down.
              if (!cached || !(err instanceof UpstreamError) || !STALE_OK.has(err.kind)) throw err;
              event.stale = true;
              currentScope()?.stale.push({ connector, operation, ageMs: Date.now() - cached.storedAt });
              return cached.value;
            }
          })) as z.output<S>;
        }
      } else {
        value = await this.guarded(connector, operation, policy, opts, fn, classify, event);
        if (opts.invalidates?.length) await this.invalidate(opts.invalidates);
      }
      finish('ok');
      return value;
    } catch (err) {
      finish(err instanceof UpstreamError ? err.kind : 'transient');
      throw err;
    }
  }

  /** fallback -> quota -> bulkhead -> breaker -> retry (-> quota) -> timeout -> call -> validation. */
  private async guarded<S extends z.ZodType>(
    connector: string,
    operation: string,
    policy: ReturnType<PolicyTable['forOperation']>,
    opts: CallOptions<S>,
    fn: (signal: AbortSignal) => Promise<unknown>,
    classify: ErrorClassifier,
    event: { attempts: number },
    followCallerSignal = true,
  ): Promise<z.output<S>> {
    const rt = this.runtime(connector);
    const scope = currentScope();
    const signal = followCallerSignal ? scope?.signal : undefined;
    const principal = scope?.principalId;
    const takeQuota = () => rt.quota.acquire(operation, policy.cost, policy.quotaWaitMs, principal);
    const spec = {
      connector, operation, idempotent: opts.idempotent, schema: opts.schema, policy, classify, signal,
      onRetryAfter: (ms: number) => rt.quota.pause(ms),
      beforeRetry: takeQuota,
    };
    const protectedCall = async (): Promise<z.output<S>> => {
      await takeQuota();
      try {
        return await rt.bulkhead.execute(() => rt.breaker.execute(() => withRetries(spec, fn, () => event.attempts++)));
      } catch (err) {
        // Refused before it was sent (open circuit, full bulkhead): it took quota it did not use.
        if (err instanceof BrokenCircuitError || err instanceof BulkheadRejectedError) rt.quota.giveBack(policy.cost, principal);
        throw this.mapPolicyError(err, connector, operation, rt);
      }
    };
    try {
      const value = await protectedCall();
      rt.record('ok');
      return value;
    } catch (err) {
      const e = err as UpstreamError;
      rt.record(e.kind, e);
      if (opts.fallback && STALE_OK.has(e.kind)) {
        this.options.logger.warn({ connector, operation, kind: e.kind }, 'upstream unavailable: answering from the fallback');
        return opts.schema.parse(await opts.fallback());
      }
      throw e;
    }
  }

  private mapPolicyError(err: unknown, connector: string, operation: string, rt: ConnectorRuntime): unknown {
    if (err instanceof BrokenCircuitError) {
      return new UpstreamError({ connector, operation, kind: 'circuit_open', message: 'Circuit open after repeated failures', retryAfterMs: rt.halfOpenInMs() });
    }
    if (err instanceof BulkheadRejectedError) {
      return new UpstreamError({ connector, operation, kind: 'rate_limited', message: 'Too many calls in flight to this provider', retryAfterMs: 1_000 });
    }
    return err;
  }

  private singleFlight<T>(key: string, load: () => Promise<T>): Promise<T> {
    const pending = this.inflight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const p = load().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private emit(event: CallEvent): void {
    currentScope()?.calls.push(event);
    for (const listener of this.listeners) listener(event);
  }
}

function digest(s: string): string {
  return s.length <= 64 ? s : createHash('sha256').update(s).digest('base64url');
}
