// Operator console sessions: one row per signed-in browser, looked up by the hash of its cookie.
import type { Db } from './db.ts';

export interface ConsoleSessionRecord {
  tokenHash: string;
  principalId: string;
  role: string;
  scopes: string[];
  via: 'api_key' | 'jwt';
  keyId: string | null;
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}

export type NewConsoleSession = Omit<ConsoleSessionRecord, 'createdAt' | 'expiresAt'> & { ttlSeconds: number };

export interface ConsoleSessionStore {
  insert(s: NewConsoleSession): Promise<ConsoleSessionRecord>;
  /** A live session (not expired, by the database's clock), or null. */
  live(tokenHash: string): Promise<ConsoleSessionRecord | null>;
  delete(tokenHash: string): Promise<void>;
  /** Deletes expired sessions; returns how many. */
  purgeExpired(): Promise<number>;
}

interface Row {
  token_hash: string;
  principal_id: string;
  role: string;
  scopes: string[];
  via: 'api_key' | 'jwt';
  key_id: string | null;
  csrf_token: string;
  created_at: Date | string;
  expires_at: Date | string;
}

const COLUMNS = 'token_hash, principal_id, role, scopes, via, key_id, csrf_token, created_at, expires_at';

const toRecord = (r: Row): ConsoleSessionRecord => ({
  tokenHash: r.token_hash,
  principalId: r.principal_id,
  role: r.role,
  scopes: r.scopes,
  via: r.via,
  keyId: r.key_id,
  csrfToken: r.csrf_token,
  createdAt: new Date(r.created_at),
  expiresAt: new Date(r.expires_at),
});

export function createConsoleSessionStore(db: Db): ConsoleSessionStore {
  return {
    async insert(s) {
      const { rows } = await db.query<Row>(
        `insert into console_sessions (token_hash, principal_id, role, scopes, via, key_id, csrf_token, expires_at)
         values ($1, $2, $3, $4::text[], $5, $6, $7, now() + make_interval(secs => $8::int))
         returning ${COLUMNS}`,
        [s.tokenHash, s.principalId, s.role, s.scopes, s.via, s.keyId, s.csrfToken, s.ttlSeconds],
      );
      return toRecord(rows[0]!);
    },
    async live(tokenHash) {
      const { rows } = await db.query<Row>(`select ${COLUMNS} from console_sessions where token_hash = $1 and expires_at > now()`, [tokenHash]);
      return rows[0] ? toRecord(rows[0]) : null;
    },
    async delete(tokenHash) {
      await db.query(`delete from console_sessions where token_hash = $1`, [tokenHash]);
    },
    async purgeExpired() {
      const { rows } = await db.query<{ n: number }>(
        `with gone as (delete from console_sessions where expires_at <= now() returning 1) select count(*)::int as n from gone`,
      );
      return rows[0]?.n ?? 0;
    },
  };
}
