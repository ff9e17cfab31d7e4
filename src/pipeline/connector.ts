// What the pipeline keeps per connector, shared by every request in the process: its circuit
// breaker, bulkhead, outbound quota, and the last outcome for /health/ready.
import { bulkhead, CircuitState, type BulkheadPolicy, type CircuitBreakerPolicy } from 'cockatiel';
import type { Redis } from 'ioredis';
import { hasTrait } from '../errors/kinds.ts';
import type { UpstreamError } from '../errors/upstream.ts';
import { BREAKER_STATES, createBreaker } from './breaker.ts';
import type { CallPolicy } from './policies.ts';
import { OutboundQuota } from './quota.ts';

export interface ConnectorHealth {
  /** closed: calls flow; open: failing fast; half_open: one trial call is let through. */
  circuit: (typeof BREAKER_STATES)[CircuitState];
  /** up: last call succeeded; failing: the upstream's own failure; unknown: no call yet. */
  state: 'unknown' | 'up' | 'failing';
  lastCallAt?: string;
  lastError?: { kind: UpstreamError['kind']; message: string; at: string };
  quotaRemaining?: { points: number; of: number };
}

export type ConnectorErrorEntry = NonNullable<ConnectorHealth['lastError']>;

/** How many of a connector's last errors are kept (Query.connectors' recentErrors). */
export const RECENT_ERRORS = 20;

export class ConnectorRuntime {
  readonly breaker: CircuitBreakerPolicy;
  readonly bulkhead: BulkheadPolicy;
  readonly quota: OutboundQuota;
  private openedAt = 0;
  private last: Omit<ConnectorHealth, 'circuit' | 'quotaRemaining'> = { state: 'unknown' };
  // A ring of the last RECENT_ERRORS errors, oldest first: bounded whatever the error rate.
  private readonly errors: ConnectorErrorEntry[] = [];

  constructor(
    readonly name: string,
    private readonly policy: CallPolicy,
    redis: Redis | undefined,
    onCircuitChange?: (connector: string, state: ConnectorHealth['circuit']) => void,
    principalShare = 0.5,
  ) {
    this.breaker = createBreaker(policy.breaker);
    this.breaker.onBreak(() => (this.openedAt = Date.now()));
    this.breaker.onStateChange((state) => onCircuitChange?.(name, BREAKER_STATES[state]));
    this.bulkhead = bulkhead(policy.bulkhead.concurrency, policy.bulkhead.queue);
    this.quota = new OutboundQuota(name, policy, redis, principalShare);
  }

  /** How long until the open breaker lets a trial call through. */
  halfOpenInMs(): number {
    return Math.max(0, this.openedAt + this.policy.breaker.halfOpenAfterMs - Date.now());
  }

  record(outcome: 'ok' | UpstreamError['kind'], err?: UpstreamError): void {
    const at = new Date().toISOString();
    // A rejected input or a missing object is the caller's problem, not the upstream's.
    const failing = hasTrait(outcome, 'providerFailure');
    const error = outcome === 'ok' || !err ? undefined : { kind: err.kind, message: err.message, at };
    this.last = {
      state: outcome === 'ok' ? 'up' : failing ? 'failing' : this.last.state === 'unknown' ? 'up' : this.last.state,
      lastCallAt: at,
      lastError: error ?? this.last.lastError,
    };
    if (error) {
      this.errors.push(error);
      if (this.errors.length > RECENT_ERRORS) this.errors.shift();
    }
  }

  /** The last errors (as lastError records them), newest first. */
  recentErrors(): ConnectorErrorEntry[] {
    return [...this.errors].reverse();
  }

  /** The connector-wide policy this runtime was made with (POLICY_FILE over the module's defaults). */
  get callPolicy(): CallPolicy {
    return this.policy;
  }

  health(): ConnectorHealth {
    const quotaRemaining = this.quota.remaining();
    return { circuit: BREAKER_STATES[this.breaker.state], ...this.last, ...(quotaRemaining ? { quotaRemaining } : {}) };
  }
}
