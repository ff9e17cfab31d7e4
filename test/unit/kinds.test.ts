// The kinds table (src/errors/kinds.ts) is what every policy reads: each kind has a row, and the
// pipeline's retry, breaker, health and stale-if-error behave as the row says, seen from outside.
import pino from 'pino';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { KIND_TRAITS, type KindTraits } from '../../src/errors/kinds.ts';
import { UpstreamError, type UpstreamErrorKind } from '../../src/errors/upstream.ts';
import { Pipeline } from '../../src/pipeline/index.ts';
import { MemoryCacheStore } from '../../src/pipeline/cache/memory.ts';
import { PolicyTable, type CallPolicy } from '../../src/pipeline/policies.ts';

const KINDS = ['transient', 'timeout', 'rate_limited', 'auth', 'rejected', 'not_found', 'conflict', 'contract', 'circuit_open', 'cancelled', 'busy'] as const;
// Fails to compile when a kind is added to UpstreamErrorKind but not to this list.
const exhaustive: Exclude<UpstreamErrorKind, (typeof KINDS)[number]> extends never ? true : false = true;

// Fast retries, a breaker that opens on the second consecutive failure, and a cached read that is
// already expired on the next call, so its stale copy is what an error may fall back to.
const POLICY: CallPolicy = {
  timeoutMs: 5_000,
  maxAttempts: 3,
  backoffMs: 1,
  retryBudgetMs: 5_000,
  cacheTtlMs: 1,
  staleTtlMs: 60_000,
  cost: 1,
  quota: { points: 1_000, durationMs: 1_000 },
  quotaWaitMs: 1_000,
  bulkhead: { concurrency: 10, queue: 10 },
  breaker: { consecutiveFailures: 2, failureRatio: 0.5, windowMs: 30_000, minCalls: 20, halfOpenAfterMs: 60_000 },
};

function pipeline() {
  const policies = new PolicyTable({}, { hubspot: { policy: POLICY } });
  return new Pipeline({ policies, cache: new MemoryCacheStore(100), logger: pino({ level: 'silent' }) });
}

const classify = (err: unknown) => err as UpstreamError;
const fail = (kind: UpstreamErrorKind) => new UpstreamError({ connector: 'hubspot', operation: 'read', kind, message: kind });

async function behaviour(kind: UpstreamErrorKind) {
  const p = pipeline();
  const call = p.for('hubspot', classify);
  let sent = 0;
  const failing = async () => {
    sent++;
    throw fail(kind);
  };
  const outcome = (c: Promise<unknown>) =>
    c.then(
      () => 'ok',
      (e: unknown) => (e as UpstreamError).kind,
    );
  await expect(call('read', { idempotent: true, schema: z.unknown() }, failing)).rejects.toThrow(kind);
  const retried = sent > 1;
  const healthAfterOne = p.health('hubspot').state;
  await outcome(call('read', { idempotent: true, schema: z.unknown() }, failing));
  const tripsBreaker = p.health('hubspot').circuit === 'open';
  // A fresh pipeline for stale-if-error: a cached read, expired, then failing with this kind.
  const q = pipeline().for('hubspot', classify);
  await q('get', { idempotent: true, schema: z.string(), cacheKey: 'k' }, async () => 'cached');
  await new Promise((r) => setTimeout(r, 5));
  const staleAllowed = (await outcome(q('get', { idempotent: true, schema: z.string(), cacheKey: 'k' }, async () => Promise.reject(fail(kind))))) === 'ok';
  return { retried, tripsBreaker, providerFailure: healthAfterOne === 'failing', staleAllowed };
}

describe('the kinds table', () => {
  it('has a row of every trait for every kind, and nothing else', () => {
    expect(exhaustive).toBe(true);
    expect(Object.keys(KIND_TRAITS).sort()).toEqual([...KINDS].sort());
    for (const kind of KINDS) {
      const row: KindTraits = KIND_TRAITS[kind];
      expect(Object.keys(row).sort(), kind).toEqual(['alert', 'fallback', 'final', 'providerFailure', 'retried', 'staleAllowed', 'tripsBreaker']);
    }
  });

  it('says what the design says of the kinds it names', () => {
    expect(KIND_TRAITS.transient).toMatchObject({ retried: true, tripsBreaker: true, providerFailure: true });
    expect(KIND_TRAITS.auth).toMatchObject({ retried: false, alert: true });
    expect(KIND_TRAITS.cancelled).toMatchObject({ retried: false, tripsBreaker: false, providerFailure: false });
    // DESIGN.md "AI": the next link answers on transient errors, 429, timeouts and open circuits, never on rejected input.
    const fallsBack = KINDS.filter((k) => KIND_TRAITS[k].fallback).sort();
    expect(fallsBack).toEqual(['busy', 'circuit_open', 'rate_limited', 'timeout', 'transient']);
  });

  it('a rejected input is not retried and does not open the breaker; a transient failure is retried and does', async () => {
    expect(await behaviour('rejected')).toEqual({ retried: false, tripsBreaker: false, providerFailure: false, staleAllowed: false });
    expect(await behaviour('transient')).toEqual({ retried: true, tripsBreaker: true, providerFailure: true, staleAllowed: true });
  });

  // cancelled and circuit_open are made by the pipeline itself from other causes, not thrown by an SDK.
  it.each(KINDS.filter((k) => k !== 'cancelled' && k !== 'circuit_open'))('the pipeline treats %s as its row says', async (kind) => {
    const { retried, tripsBreaker, providerFailure, staleAllowed } = KIND_TRAITS[kind];
    expect(await behaviour(kind)).toEqual({ retried, tripsBreaker, providerFailure, staleAllowed });
  });
});
