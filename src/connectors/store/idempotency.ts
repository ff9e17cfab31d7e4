// Idempotency records as stored (migration 004). Each step is one statement, so replicas and
// concurrent requests agree without a transaction held across the upstream call: claim() is an
// upsert that either inserts the row, takes over one whose time is up, or reports what holds it.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';

/** Whose key it is and for which operation: the same client key in two scopes is two keys. */
export interface IdempotencyScope {
  principal: string;
  operation: string;
  key: string;
}

export type IdempotencyClaim =
  /** This request holds the key: it makes the call, then complete()s or release()s with the token. */
  | { state: 'claimed'; token: string }
  | { state: 'done'; requestHash: string; response: unknown }
  | { state: 'in_progress'; requestHash: string; lockedForMs: number };

export interface IdempotencyStore {
  /**
   * Claims the key for this request. A row past expires_at is taken over by any request; an
   * in-progress row past locked_until (its process died) only by the same request.
   */
  claim(scope: IdempotencyScope, requestHash: string, opts: { leaseMs: number; ttlMs: number }): Promise<IdempotencyClaim>;
  /** Stores the answer; false when the claim was lost meanwhile (taken over after its lease). */
  complete(scope: IdempotencyScope, token: string, response: unknown): Promise<boolean>;
  /** Frees the key (the call may be tried again with it); a lost claim frees nothing. */
  release(scope: IdempotencyScope, token: string): Promise<void>;
  /** Deletes up to `limit` expired rows; returns how many. */
  purgeExpired(limit?: number): Promise<number>;
}

interface Row {
  request_hash: string;
  state: 'in_progress' | 'done';
  response: unknown;
  locked_ms: number | null;
}

const WHERE = 'principal_id = $1 and operation = $2 and key = $3';

export function createIdempotencyStore(db: Db): IdempotencyStore {
  const args = (s: IdempotencyScope) => [s.principal, s.operation, s.key];
  return {
    async claim(scope, requestHash, { leaseMs, ttlMs }) {
      // A row can vanish between the upsert and the read (its holder released it): try again.
      for (let attempt = 0; ; attempt++) {
        const token = randomUUID();
        const won = await db.query<{ claim: string }>(
          `insert into idempotency_keys as k (principal_id, operation, key, request_hash, state, claim, locked_until, expires_at)
           values ($1, $2, $3, $4, 'in_progress', $5, now() + $6 * interval '1 millisecond', now() + $7 * interval '1 millisecond')
           on conflict (principal_id, operation, key) do update
             set request_hash = excluded.request_hash, state = 'in_progress', claim = excluded.claim, response = null,
                 locked_until = excluded.locked_until, expires_at = excluded.expires_at, created_at = now()
             where k.expires_at <= now()
                or (k.state = 'in_progress' and k.locked_until <= now() and k.request_hash = excluded.request_hash)
           returning claim`,
          [...args(scope), requestHash, token, leaseMs, ttlMs],
        );
        if (won.rows[0]?.claim === token) return { state: 'claimed', token };
        const held = await db.query<Row>(
          `select request_hash, state, response,
                  greatest(0, ceil(extract(epoch from (locked_until - now())) * 1000))::int as locked_ms
           from idempotency_keys where ${WHERE}`,
          args(scope),
        );
        const row = held.rows[0];
        if (row?.state === 'done') return { state: 'done', requestHash: row.request_hash, response: row.response };
        if (row) return { state: 'in_progress', requestHash: row.request_hash, lockedForMs: row.locked_ms ?? 0 };
        if (attempt >= 3) throw new Error('idempotency claim: the key kept changing hands');
      }
    },

    async complete(scope, token, response) {
      const { rows } = await db.query(
        `update idempotency_keys set state = 'done', response = $5::jsonb, locked_until = null
         where ${WHERE} and claim = $4 and state = 'in_progress' returning 1`,
        [...args(scope), token, JSON.stringify(response)],
      );
      return rows.length > 0;
    },

    async release(scope, token) {
      await db.query(`delete from idempotency_keys where ${WHERE} and claim = $4 and state = 'in_progress'`, [...args(scope), token]);
    },

    async purgeExpired(limit = 1_000) {
      const { rows } = await db.query(
        `delete from idempotency_keys where (principal_id, operation, key) in
           (select principal_id, operation, key from idempotency_keys where expires_at <= now() limit $1)
         returning 1`,
        [limit],
      );
      return rows.length;
    },
  };
}
