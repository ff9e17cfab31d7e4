// Keyed writes (createPayment, refundPayment) happen at most once per (principal, operation,
// client key), whatever the upstream remembers. The client's key never reaches the upstream as
// sent: the upstream gets a digest of the scope, so two principals cannot collide, and no client
// can name a key another principal's request will use. The record in Postgres answers replays
// (the stored response, no upstream call) and conflicts (another request under the same key) for
// 24 h, and a duplicate that arrives while the first request runs is refused, never sent on.
//
// Failures: a final refusal by the upstream (declined card, invalid parameters, no such object)
// is stored and replayed like a success, as payment APIs do for a declined card. Anything else
// (upstream unavailable, timeout, rate limit, our own caller gone, a bad reference found before
// the call) releases the key, so the client may retry with it. The retry sends the same derived
// key upstream, so a write that landed although its answer was lost is replayed there, not made
// twice. A process that dies mid-call holds the key until its lease runs out; then the same
// request takes it over, again with the same upstream key.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.ts';
import type { IdempotencyScope, IdempotencyStore } from '../connectors/store/index.ts';
import { ErrorCode, UpstreamError, codedError } from '../errors/index.ts';
import { traitsOf } from '../errors/kinds.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Longer than one pipeline call can last (a write's 15 s deadline plus its 10 s retry budget and quota wait). */
export const IDEMPOTENCY_LEASE_MS = 60_000;
const PURGE_EVERY_MS = 10 * 60_000;

export interface KeyedWrite<T> {
  principal: Principal;
  /** The mutation, e.g. createPayment. */
  operation: string;
  /** The client's key, already checked for shape. */
  key: string;
  /** Where the key came from, named in errors (input.idempotencyKey). */
  field: string;
  /** The request as checked, without the key: the same key with another request is a conflict. */
  request: Record<string, string | number | boolean | null>;
  /** Rebuilds a stored answer (JSON) as the resolver returns it. */
  decode(stored: unknown): T;
}

type Stored = { ok: unknown } | { error: StoredError };
type StoredError = Pick<UpstreamError, 'connector' | 'operation' | 'kind' | 'message' | 'status' | 'upstreamCode' | 'field' | 'requestId'>;

/** The key the upstream sees: a digest of (principal, operation, client key). */
export function upstreamKey(scope: IdempotencyScope): string {
  const digest = createHash('sha256').update(`switchyard.idempotency.v1\0${scope.principal}\0${scope.operation}\0${scope.key}`).digest('base64url');
  return `sy1_${digest}`;
}

export function requestHash(request: KeyedWrite<unknown>['request']): string {
  const canonical = JSON.stringify(
    Object.keys(request)
      .sort()
      .map((k) => [k, request[k] ?? null]),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

const lastPurge = new WeakMap<IdempotencyStore, number>();

// Expired rows are answered as absent by claim(); deleting them only keeps the table small, so it
// runs now and then, off the request's path.
function purgeNowAndThen(store: IdempotencyStore, logger: Logger): void {
  const now = Date.now();
  if (now - (lastPurge.get(store) ?? 0) < PURGE_EVERY_MS) return;
  lastPurge.set(store, now);
  store.purgeExpired().catch((err: unknown) => logger.warn({ err }, 'idempotency: purging expired records failed'));
}

function storedError(err: UpstreamError): StoredError {
  const { connector, operation, kind, message, status, upstreamCode, field, requestId } = err;
  return { connector, operation, kind, message, status, upstreamCode, field, requestId };
}

function replay<T>(w: KeyedWrite<T>, stored: Stored): T {
  if ('error' in stored) throw new UpstreamError(stored.error);
  return w.decode(stored.ok);
}

export async function idempotentWrite<T>(store: IdempotencyStore, logger: Logger, w: KeyedWrite<T>, exec: (upstreamKey: string) => Promise<T>): Promise<T> {
  // `via` keeps a JWT subject from ever sharing a scope with an API key id of the same spelling.
  const scope: IdempotencyScope = { principal: `${w.principal.via}:${w.principal.id}`, operation: w.operation, key: w.key };
  const hash = requestHash(w.request);
  purgeNowAndThen(store, logger);
  const claim = await store.claim(scope, hash, { leaseMs: IDEMPOTENCY_LEASE_MS, ttlMs: IDEMPOTENCY_TTL_MS });
  if (claim.state !== 'claimed') {
    if (claim.requestHash !== hash) {
      throw codedError(ErrorCode.IDEMPOTENCY_CONFLICT, 'This idempotency key was already used with another request', { field: w.field });
    }
    if (claim.state === 'done') return replay(w, claim.response as Stored);
    throw codedError(ErrorCode.IDEMPOTENCY_IN_PROGRESS, 'A request with this idempotency key is still in progress; retry shortly', {
      field: w.field,
      retryAfterMs: Math.min(1_000, Math.max(100, claim.lockedForMs)),
    });
  }
  let result: Stored;
  let outcome: { value: T } | { error: UpstreamError };
  try {
    const value = await exec(upstreamKey(scope));
    outcome = { value };
    result = { ok: value };
  } catch (err) {
    if (!(err instanceof UpstreamError && traitsOf(err.kind).final)) {
      await store
        .release(scope, claim.token)
        .catch((e: unknown) => logger.warn({ err: e, operation: w.operation }, 'idempotency: could not release a key; it frees itself when its lease ends'));
      throw err;
    }
    outcome = { error: err };
    result = { error: storedError(err) };
  }
  // The write happened: its answer goes to the client even if the record cannot be kept now
  // (a later retry then waits out the lease and gets the upstream's own replay).
  const kept = await store.complete(scope, claim.token, result).catch((err: unknown) => {
    logger.error({ err, operation: w.operation }, 'idempotency: could not store the answer of a write');
    return true;
  });
  if (!kept) logger.warn({ operation: w.operation }, 'idempotency: the key was taken over while this request ran');
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
