// The policy table: per connector and per operation, how long to wait, how often to retry,
// how long to cache, what a call costs against the provider's quota. Defaults come from the
// providers' documented limits; POLICY_FILE (JSON, validated here) overrides any of them.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../config.ts';

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
    /** Quota units one call uses (HubSpot counts a batch read as one request). */
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
export type ConnectorName = 'stripe' | 'hubspot' | 'openai' | 'notify';

const PartialPolicy = Policy.partial().extend({
  quota: Policy.shape.quota.optional(),
  bulkhead: Policy.shape.bulkhead.optional(),
  breaker: Policy.shape.breaker.partial().optional(),
});
const ConnectorOverride = PartialPolicy.extend({ operations: z.record(z.string(), PartialPolicy).optional() }).strict();
export const PolicyFileSchema = z.object({ stripe: ConnectorOverride, hubspot: ConnectorOverride, openai: ConnectorOverride, notify: ConnectorOverride }).partial().strict();
export type PolicyFile = z.infer<typeof PolicyFileSchema>;

const BREAKER = { consecutiveFailures: 5, failureRatio: 0.5, windowMs: 30_000, minCalls: 20, halfOpenAfterMs: 5_000 };

/** Stripe: 100 read/write requests per second in live mode, 25 in test mode (docs.stripe.com/rate-limits). */
export function stripeQuota(secretKey: string | undefined): CallPolicy['quota'] {
  return { points: secretKey?.startsWith('sk_live_') || secretKey?.startsWith('rk_live_') ? 100 : 25, durationMs: 1_000 };
}

function defaults(name: ConnectorName, stripeKey: string | undefined): CallPolicy {
  switch (name) {
    case 'stripe':
      return {
        timeoutMs: 8_000, maxAttempts: 6, backoffMs: 50, retryBudgetMs: 10_000, cacheTtlMs: 30_000, staleTtlMs: 600_000, cost: 1,
        quota: stripeQuota(stripeKey), quotaWaitMs: 2_000, bulkhead: { concurrency: 25, queue: 200 }, breaker: BREAKER,
      };
    case 'hubspot':
      // 100 requests per 10 s for Free/Starter apps; Professional/Enterprise may raise it to 190.
      return {
        timeoutMs: 8_000, maxAttempts: 6, backoffMs: 100, retryBudgetMs: 10_000, cacheTtlMs: 60_000, staleTtlMs: 600_000, cost: 1,
        quota: { points: 100, durationMs: 10_000 }, quotaWaitMs: 3_000, bulkhead: { concurrency: 10, queue: 200 }, breaker: BREAKER,
      };
    case 'openai':
      // Completions are slow and billed per call: long deadline, never cached, never retried.
      return {
        timeoutMs: 60_000, maxAttempts: 1, backoffMs: 500, retryBudgetMs: 60_000, cacheTtlMs: 0, staleTtlMs: 0, cost: 1,
        quota: { points: 500, durationMs: 60_000 }, quotaWaitMs: 5_000, bulkhead: { concurrency: 20, queue: 100 }, breaker: BREAKER,
      };
    case 'notify':
      // Each transport (instance) delivers one message at a time off the request path, so it can
      // wait and retry longer than a request could. Slack allows about one message a second per
      // hook with short bursts: 60 a minute, waited for rather than refused. Only Switchyard itself
      // sends notifications (no principal asks for them), so the whole window is its own.
      return {
        timeoutMs: 5_000, maxAttempts: 5, backoffMs: 500, retryBudgetMs: 30_000, cacheTtlMs: 0, staleTtlMs: 0, cost: 1,
        quota: { points: 60, durationMs: 60_000, principalShare: 1 }, quotaWaitMs: 60_000, bulkhead: { concurrency: 1, queue: 1_000 }, breaker: BREAKER,
      };
  }
}

const OPERATION_DEFAULTS: Partial<Record<ConnectorName, Record<string, Partial<CallPolicy>>>> = {
  stripe: {
    // Writes answer slower than reads; their retries are safe because each carries an idempotency key.
    'paymentIntents.create': { timeoutMs: 15_000, cacheTtlMs: 0 },
    'refunds.create': { timeoutMs: 15_000, cacheTtlMs: 0 },
    'customers.create': { cacheTtlMs: 0 },
    'customers.del': { cacheTtlMs: 0 },
    // Search results lag writes anyway (see batch.ts); keep them briefly.
    'paymentIntents.search': { cacheTtlMs: 15_000 },
  },
  hubspot: {
    'contacts.create': { cacheTtlMs: 0 },
    'contacts.archive': { cacheTtlMs: 0 },
    'contacts.search': { cacheTtlMs: 0 },
  },
};

export class PolicyTable {
  // Policies never change after startup; every pipeline call asks for one, so each is merged once.
  private readonly resolved = new Map<string, CallPolicy>();

  constructor(
    private readonly overrides: PolicyFile = {},
    private readonly stripeKey?: string,
  ) {}

  /** The connector-wide policy (quota, bulkhead, breaker are per connector). */
  connector(name: ConnectorName): CallPolicy {
    return this.memo(name, () => merge(defaults(name, this.stripeKey), this.overrides[name]));
  }

  /** The policy of one operation: connector defaults, then operation defaults, then the file. */
  forOperation(name: ConnectorName, operation: string): CallPolicy {
    return this.memo(`${name}:${operation}`, () => {
      const base = merge(this.connector(name), OPERATION_DEFAULTS[name]?.[operation]);
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

/** Reads and validates a policy file; a bad file throws with the offending path named. */
export function loadPolicyFile(file: string): PolicyFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`POLICY_FILE ${file}: ${(err as Error).message}`);
  }
  const parsed = PolicyFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`POLICY_FILE ${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
