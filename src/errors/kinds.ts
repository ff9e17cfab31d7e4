// What each kind of upstream error means, in one place: every policy that treats kinds
// differently (retry, breaker, health and the 5-minute error rate, stale-if-error, the AI
// router's fallback to the next provider, alerts, the idempotency record) reads this table
// rather than keeping a set of its own, so they cannot drift apart. A new kind does not compile until its row is here.
import type { UpstreamErrorKind } from './upstream.ts';

export interface KindTraits {
  /** Worth another attempt (an idempotent call only, within the retry budget). */
  retried: boolean;
  /** Counts as a failure for the circuit breaker: only the upstream failing to answer does. */
  tripsBreaker: boolean;
  /** The provider's own failure: health turns 'failing' and it counts in the 5-minute error rate. */
  providerFailure: boolean;
  /** The upstream could not answer now (it did not refuse): an expired cached copy or the call's fallback may answer instead. */
  staleAllowed: boolean;
  /** An operator must act: the alert monitor raises an alert for it. */
  alert: boolean;
  /** A definitive answer to this request: a keyed write's record stores it and replays it like a success. */
  final: boolean;
  /** Another provider may answer instead: the AI router tries the next link of the chain. */
  fallback: boolean;
}

const no: KindTraits = { retried: false, tripsBreaker: false, providerFailure: false, staleAllowed: false, alert: false, final: false, fallback: false };

export const KIND_TRAITS = {
  transient: { ...no, retried: true, tripsBreaker: true, providerFailure: true, staleAllowed: true, fallback: true },
  timeout: { ...no, retried: true, tripsBreaker: true, providerFailure: true, staleAllowed: true, fallback: true },
  // The provider is up and says so: its breaker stays closed, but it is not serving us.
  rate_limited: { ...no, retried: true, providerFailure: true, staleAllowed: true, fallback: true },
  // Our credentials at this provider are wrong: an operator must fix them, and the chain ends
  // here rather than hiding the fault behind another provider's answers.
  auth: { ...no, providerFailure: true, alert: true },
  // The caller's doing, not the provider's: nothing to retry, nothing unhealthy.
  rejected: { ...no, final: true },
  not_found: { ...no, final: true },
  conflict: { ...no, final: true },
  contract: { ...no, providerFailure: true, alert: true },
  // The breaker already counted the failures that opened it.
  circuit_open: { ...no, providerFailure: true, staleAllowed: true, fallback: true },
  // Our own caller went away: says nothing about the upstream.
  cancelled: no,
  // Someone else holds the object or the key: try again with the same key; says nothing about its health.
  busy: { ...no, retried: true, staleAllowed: true, fallback: true },
} as const satisfies Record<UpstreamErrorKind, KindTraits>;

/** The kinds whose trait `t` is set, as a type (e.g. the kinds the alert monitor must have words for). */
export type KindsWith<T extends keyof KindTraits> = {
  [K in UpstreamErrorKind]: (typeof KIND_TRAITS)[K][T] extends true ? K : never;
}[UpstreamErrorKind];

/**
 * The row of a kind. A success, or a kind the table does not know (something that is no
 * UpstreamError reached a policy), has every trait off: no policy acts on what it cannot name.
 */
export function traitsOf(kind: UpstreamErrorKind | 'ok' | undefined): KindTraits {
  return (KIND_TRAITS as Partial<Record<string, KindTraits>>)[kind ?? 'ok'] ?? no;
}

/** Whether a call's outcome is an upstream error of a kind with trait `t`. */
export function hasTrait<T extends keyof KindTraits>(kind: UpstreamErrorKind | 'ok', t: T): kind is KindsWith<T> {
  return traitsOf(kind)[t];
}
