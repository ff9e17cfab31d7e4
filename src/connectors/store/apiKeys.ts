// API keys as stored: a SHA-256 of the secret, never the secret. Role and scope strings are
// checked by src/auth (which owns their meaning), not here.
import type { Db } from './db.ts';

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: string;
  scopes: string[];
  customerId: string | null;
  /** Hex SHA-256 of the whole key. */
  secretHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export type NewApiKey = Pick<ApiKeyRecord, 'id' | 'name' | 'role' | 'scopes' | 'customerId' | 'secretHash'>;

export interface ApiKeyStore {
  insert(key: NewApiKey): Promise<ApiKeyRecord>;
  /** Read on every request that presents the key (never cached), so a revocation holds at once everywhere. */
  byId(id: string): Promise<ApiKeyRecord | null>;
  /** Newest first, revoked keys included. */
  list(): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked; null when there is no such key. Revoking twice keeps the first time. */
  revoke(id: string): Promise<ApiKeyRecord | null>;
  /** Revokes every active key whose name starts with `prefix`; returns how many. */
  revokeByNamePrefix(prefix: string): Promise<number>;
  /** Records a use; at most one write per key per minute, however busy the key. */
  touch(id: string): Promise<void>;
  /** Active (unrevoked) keys, leaving out those whose name starts with `excludePrefix`. */
  countActive(excludePrefix?: string): Promise<number>;
}

interface Row {
  id: string;
  name: string;
  role: string;
  scopes: string[];
  customer_id: string | null;
  secret_hash: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, role, scopes, customer_id, secret_hash, created_at, last_used_at, revoked_at';

function toRecord(r: Row): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    scopes: r.scopes,
    customerId: r.customer_id,
    secretHash: r.secret_hash,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

/** `prefix%` with the prefix's own % _ and \ taken literally. */
const startsWith = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createApiKeyStore(db: Db): ApiKeyStore {
  return {
    async insert(k) {
      const { rows } = await db.query<Row>(
        `insert into api_keys (id, name, role, scopes, customer_id, secret_hash) values ($1, $2, $3, $4::text[], $5, $6) returning ${COLUMNS}`,
        [k.id, k.name, k.role, k.scopes, k.customerId, k.secretHash],
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
      const { rows } = await db.query<Row>(
        `update api_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`,
        [id],
      );
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async revokeByNamePrefix(prefix) {
      const { rows } = await db.query(`update api_keys set revoked_at = now() where revoked_at is null and name like $1 returning 1`, [startsWith(prefix)]);
      return rows.length;
    },

    async touch(id) {
      await db.query(
        `update api_keys set last_used_at = now() where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
        [id],
      );
    },

    async countActive(excludePrefix) {
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::int as n from api_keys where revoked_at is null and ($1::text is null or name not like $1)`,
        [excludePrefix === undefined ? null : startsWith(excludePrefix)],
      );
      return rows[0]?.n ?? 0;
    },
  };
}
