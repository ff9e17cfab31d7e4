// API keys as stored: a SHA-256 of the secret, never the secret. Role and scope strings are
// checked by src/auth (which owns their meaning), not here. A demo key (kind 'demo') always has
// an expiry, which its demo process keeps pushing forward while it runs (src/auth/demo.ts);
// expiry is judged by the database's clock, so replicas with skewed clocks agree.
import type { Db } from './db.ts';

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: string;
  scopes: string[];
  customerId: string | null;
  /** Hex SHA-256 of the whole key. */
  secretHash: string;
  /** standard: made with `switchyard keys create`; demo: issued by a demo process for its session. */
  kind: ApiKeyKind;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
  /** expiresAt has passed, by the database's clock at the time of the read. */
  expired: boolean;
}

export type ApiKeyKind = 'standard' | 'demo';

export type NewApiKey = Pick<ApiKeyRecord, 'id' | 'name' | 'role' | 'scopes' | 'customerId' | 'secretHash'> & {
  /** Default standard. A demo key needs ttlSeconds. */
  kind?: ApiKeyKind;
  /** Expires this long after the insert. */
  ttlSeconds?: number;
};

export interface ApiKeyStore {
  insert(key: NewApiKey): Promise<ApiKeyRecord>;
  /** Read on every request that presents the key (never cached), so a revocation holds at once everywhere. */
  byId(id: string): Promise<ApiKeyRecord | null>;
  /** Newest first, revoked keys included. */
  list(): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked; null when there is no such key. Revoking twice keeps the first time. */
  revoke(id: string): Promise<ApiKeyRecord | null>;
  /** Revokes these keys (those not revoked yet); returns how many. */
  revokeMany(ids: readonly string[]): Promise<number>;
  /** Revokes every demo key of the store, whichever process issued it; returns how many. */
  revokeAllDemo(): Promise<number>;
  /** Moves the expiry of these demo keys to ttlSeconds from now, unless revoked or already expired; returns how many. */
  renewDemo(ids: readonly string[], ttlSeconds: number): Promise<number>;
  /** Deletes demo keys revoked or expired more than a day ago (kept that long for `keys list`). */
  purgeDemo(): Promise<number>;
  /** Records a use; at most one write per key per minute, however busy the key. */
  touch(id: string): Promise<void>;
  /** Standard keys neither revoked nor expired (demo keys never count). */
  countActive(): Promise<number>;
}

interface Row {
  id: string;
  name: string;
  role: string;
  scopes: string[];
  customer_id: string | null;
  secret_hash: string;
  kind: ApiKeyKind;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  expires_at: Date | null;
  expired: boolean;
}

const COLUMNS = `id, name, role, scopes, customer_id, secret_hash, kind, created_at, last_used_at, revoked_at, expires_at,
  coalesce(expires_at <= now(), false) as expired`;

function toRecord(r: Row): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    scopes: r.scopes,
    customerId: r.customer_id,
    secretHash: r.secret_hash,
    kind: r.kind,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    expiresAt: r.expires_at,
    expired: r.expired,
  };
}

export function createApiKeyStore(db: Db): ApiKeyStore {
  return {
    async insert(k) {
      const { rows } = await db.query<Row>(
        `insert into api_keys (id, name, role, scopes, customer_id, secret_hash, kind, expires_at)
         values ($1, $2, $3, $4::text[], $5, $6, $7, now() + make_interval(secs => $8::double precision)) returning ${COLUMNS}`,
        [k.id, k.name, k.role, k.scopes, k.customerId, k.secretHash, k.kind ?? 'standard', k.ttlSeconds ?? null],
      );
      return toRecord(rows[0]!);
    },

    async byId(id) {
      const { rows } = await db.query<Row>(`select ${COLUMNS} from api_keys where id = $1`, [id]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async list() {
      const { rows } = await db.query<Row>(`select ${COLUMNS} from api_keys order by created_at desc, id`);
      return rows.map(toRecord);
    },

    async revoke(id) {
      const { rows } = await db.query<Row>(`update api_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`, [id]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async revokeMany(ids) {
      const { rows } = await db.query(`update api_keys set revoked_at = now() where revoked_at is null and id = any($1::text[]) returning 1`, [[...ids]]);
      return rows.length;
    },

    async revokeAllDemo() {
      const { rows } = await db.query(`update api_keys set revoked_at = now() where revoked_at is null and kind = 'demo' returning 1`);
      return rows.length;
    },

    async renewDemo(ids, ttlSeconds) {
      const { rows } = await db.query(
        `update api_keys set expires_at = now() + make_interval(secs => $2::double precision)
         where id = any($1::text[]) and kind = 'demo' and revoked_at is null and expires_at > now() returning 1`,
        [[...ids], ttlSeconds],
      );
      return rows.length;
    },

    async purgeDemo() {
      const { rows } = await db.query(`delete from api_keys where kind = 'demo' and least(revoked_at, expires_at) < now() - interval '1 day' returning 1`);
      return rows.length;
    },

    async touch(id) {
      await db.query(`update api_keys set last_used_at = now() where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`, [id]);
    },

    async countActive() {
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::int as n from api_keys where kind = 'standard' and revoked_at is null and (expires_at is null or expires_at > now())`,
      );
      return rows[0]?.n ?? 0;
    },
  };
}
