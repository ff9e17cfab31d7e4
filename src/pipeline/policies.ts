// The policy table: per connector and per operation, how long to wait, how often to retry,
// how long to cache, what a call costs against the provider's quota. Each connector module
// gives its defaults (from its provider's documented limits); POLICY_FILE overrides any of them
// (config.ts reads and validates the file against PolicyFileSchema).
import { z } from 'zod';

const Policy = z
  .object({
    /** Deadline of one attempt. */
    timeoutMs: z.number().int().min(1).max(600_000),
    /** Attempts in all (1 = no retry); writes are retried only with an idempotency key. */
    maxAttempts: z.number().int().min(1).max(10),
    /** First backoff step; grows exponentially with full jitter. */
    backoffMs: z.number().int().min(0).max(60_000),
    /** No retry starts when the call has already used this much time in all. */
    retryBudgetMs: z.number().int().min(0).max(600_000),
    /** How long a read stays fresh in the cache (0 = not cached). */
    cacheTtlMs: z.number().int().min(0).max(86_400_000),
    /** How long after expiry a cached read may still be served while the upstream fails. */
    staleTtlMs: z.number().int().min(0).max(86_400_000),
    /** Quota units one call uses (a CRM may count a batch read as one request). */
    cost: z.number().int().min(1).max(1_000),
    /**
     * The provider's request quota: `points` per `durationMs`, shared across replicas via Redis;
     * one principal may take at most `principalShare` of it (default OUTBOUND_PRINCIPAL_SHARE).
     */
    quota: z.object({ points: z.number().int().min(1), durationMs: z.number().int().min(1_000), principalShare: z.number().gt(0).max(1).optional() }),
    /** How long a call may wait for quota before it is refused with RATE_LIMITED. */
    quotaWaitMs: z.number().int().min(0).max(60_000),
    /** Concurrent calls per connector, and how many may queue for a slot. */
    bulkhead: z.object({ concurrency: z.number().int().min(1), queue: z.number().int().min(0) }),
    breaker: z.object({
      /** Opens after this many consecutive failures... */
      consecutiveFailures: z.number().int().min(1),
      /** ...or when this share of calls failed in the window (with at least minCalls calls). */
      failureRatio: z.number().min(0).max(1),
      windowMs: z.number().int().min(1_000),
      minCalls: z.number().int().min(1),
      /** Cool-down before one trial call is let through (half-open). */
      halfOpenAfterMs: z.number().int().min(100),
    }),
  })
  .strict();

export type CallPolicy = z.infer<typeof Policy>;
/** The name a policy is filed under: a connector module's (its instances share it). */
export type ConnectorName = string;

const PartialPolicy = Policy.partial().extend({
  quota: Policy.shape.quota.optional(),
  bulkhead: Policy.shape.bulkhead.optional(),
  breaker: Policy.shape.breaker.partial().optional(),
});
export const ConnectorOverride = PartialPolicy.extend({ operations: z.record(z.string(), PartialPolicy).optional() }).strict();
/** Keyed by connector module; config.ts refuses a key that names no module. */
export const PolicyFileSchema = z.record(z.string(), ConnectorOverride);
export type PolicyFile = z.infer<typeof PolicyFileSchema>;

/** A module's defaults: connector-wide, and per operation where one differs. */
export interface PolicyDefaults {
  policy: CallPolicy;
  operations?: Readonly<Record<string, Partial<CallPolicy>>>;
}

export class PolicyTable {
  // Policies never change after startup; every pipeline call asks for one, so each is merged once.
  private readonly resolved = new Map<string, CallPolicy>();

  constructor(
    private readonly overrides: PolicyFile = {},
    private readonly defaults: Readonly<Record<ConnectorName, PolicyDefaults>> = {},
  ) {}

  private defaultsOf(name: ConnectorName): PolicyDefaults {
    const d = this.defaults[name];
    if (!d) throw new Error(`No policy defaults for connector ${name}`);
    return d;
  }

  /** The connector-wide policy (quota, bulkhead, breaker are per connector). */
  connector(name: ConnectorName): CallPolicy {
    return this.memo(name, () => merge(this.defaultsOf(name).policy, this.overrides[name]));
  }

  /** The policy of one operation: connector defaults, then operation defaults, then the file. */
  forOperation(name: ConnectorName, operation: string): CallPolicy {
    return this.memo(`${name}:${operation}`, () => {
      const base = merge(this.connector(name), this.defaultsOf(name).operations?.[operation]);
      return merge(base, this.overrides[name]?.operations?.[operation]);
    });
  }

  private memo(key: string, build: () => CallPolicy): CallPolicy {
    let policy = this.resolved.get(key);
    if (!policy) this.resolved.set(key, (policy = build()));
    return policy;
  }
}

function merge(base: CallPolicy, over: z.infer<typeof PartialPolicy> | undefined): CallPolicy {
  if (!over) return base;
  const { breaker, ...rest } = over as z.infer<typeof PartialPolicy> & { operations?: unknown };
  delete (rest as { operations?: unknown }).operations;
  return { ...base, ...(rest as Partial<CallPolicy>), breaker: { ...base.breaker, ...breaker } };
}
