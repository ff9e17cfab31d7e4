// A small SQL interface served by node-postgres (a real server) or PGlite (embedded, one
// connection). The store is written once against it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import pg from 'pg';

export interface Db {
  /** One statement, with $1.. parameters. */
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Several statements without parameters (migration scripts); the result of each, in order. */
  exec(sql: string): Promise<{ rows: unknown[] }[]>;
  /** Runs fn in a transaction; nested calls on the tx handle use savepoints. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'postgres' | 'pglite';
  /**
   * Embedded PGlite only: LISTEN on its one session, in turn with every other statement. The job
   * queue wakes its workers with it; on a server, pg-boss holds a listening connection of its own.
   */
  listen?(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
}

export interface OpenDbOptions {
  databaseUrl?: string;
  dataDir?: string;
  schema?: string;
  poolMax?: number;
}

export const UNIQUE_VIOLATION = '23505';

export { StoreUnavailableError } from '../../errors/store.ts';
import { StoreUnavailableError } from '../../errors/store.ts';

/** A database error from either driver, with the SQLSTATE and, for constraint errors, its name. */
export class DbError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly constraint: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DbError';
  }
}

// The database cannot be reached or is going away: socket errors, pg's own connection messages,
// and the server's connection-exception (08xxx), shutdown (57P0x) and too-many-connections codes.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const CONNECTION_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused/i;

function unavailable(e: Error & { code?: unknown; severity?: unknown }): boolean {
  if (typeof e.severity === 'string' && typeof e.code === 'string') return /^(08|57P0|53300)/.test(e.code);
  return (typeof e.code === 'string' && SOCKET_CODES.has(e.code)) || CONNECTION_MESSAGE.test(e.message);
}

function mapError(err: unknown): unknown {
  if (err instanceof DbError || err instanceof StoreUnavailableError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: unknown; constraint?: unknown; severity?: unknown };
  if (unavailable(e)) return new StoreUnavailableError(e.message, { cause: err });
  // Server errors from both drivers carry a severity; socket errors (code 'EPIPE' etc.) do not.
  if (typeof e.severity !== 'string' || typeof e.code !== 'string') return err;
  return new DbError(e.message, e.code, typeof e.constraint === 'string' ? e.constraint : undefined, { cause: err });
}

async function mapped<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw mapError(err);
  }
}

// Interpolated into search_path and CREATE SCHEMA, so only plain identifiers are accepted.
function checkSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`Invalid schema name: ${JSON.stringify(schema)}`);
  return schema;
}

type Run = (text: string, params?: unknown[]) => Promise<{ rows: unknown[] }>;
type Results = { rows: unknown[] }[];

// pg answers a multi-statement query with one result, or an array when there are several.
const results = (r: pg.QueryResult | pg.QueryResult[]): Results => (Array.isArray(r) ? r : [r]).map((x) => ({ rows: x.rows ?? [] }));

function txHandle(kind: Db['kind'], run: Run, execSql: (sql: string) => Promise<Results>): Db {
  let depth = 0;
  const tx: Db = {
    kind,
    query: async <T>(text: string, params?: unknown[]) => (await mapped(run(text, params))) as { rows: T[] },
    exec: (sql) => mapped(execSql(sql)),
    transaction: async (fn) => {
      const sp = `sp_${++depth}`;
      await tx.query(`savepoint ${sp}`);
      try {
        const result = await fn(tx);
        await tx.query(`release savepoint ${sp}`);
        return result;
      } catch (err) {
        await tx.query(`rollback to savepoint ${sp}`);
        throw err;
      } finally {
        depth--;
      }
    },
    close: () => Promise.reject(new Error('close() on a transaction handle')),
  };
  return tx;
}

async function openPostgres(url: string, schema: string | undefined, poolMax: number | undefined): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax ?? 10,
    connectionTimeoutMillis: 5_000,
    ...(schema ? { options: `-c search_path=${checkSchema(schema)}` } : {}),
  });
  // An idle client that loses its connection emits 'error' on the pool; unhandled, that would
  // crash the process. The pool drops the client and the next query reports the outage.
  pool.on('error', () => {});
  const db: Db = {
    kind: 'postgres',
    query: async <T>(text: string, params?: unknown[]) => ({ rows: (await mapped(pool.query(text, params))).rows as T[] }),
    exec: async (sql) => results(await mapped(pool.query(sql) as Promise<pg.QueryResult | pg.QueryResult[]>)),
    transaction: async (fn) => {
      const client = await mapped(pool.connect());
      let broken: Error | undefined;
      try {
        await mapped(client.query('begin'));
        const tx = txHandle(
          'postgres',
          (t, p) => client.query(t, p),
          async (s) => results(await (client.query(s) as Promise<pg.QueryResult | pg.QueryResult[]>)),
        );
        const result = await fn(tx);
        await mapped(client.query('commit'));
        return result;
      } catch (err) {
        await client.query('rollback').catch((e: Error) => (broken = e));
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
  if (schema) {
    try {
      await db.query(`create schema if not exists ${schema}`);
    } catch (err) {
      // Two processes creating the same schema at once can race past IF NOT EXISTS.
      if (!(err instanceof DbError && (err.code === UNIQUE_VIOLATION || err.code === '42P06'))) {
        await pool.end();
        throw err;
      }
    }
  }
  return db;
}

async function openPglite(dataDir: string | undefined, schema: string | undefined): Promise<Db> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  // Loaded only here: a server on Postgres never pays PGlite's import (its WebAssembly build and memory).
  const { PGlite } = await import('@electric-sql/pglite');
  const lite = new PGlite(dataDir);
  await lite.waitReady;

  // PGlite is one session: our own queue guarantees that nothing issued outside a transaction
  // runs inside it, whatever PGlite's internal locking does in a given version.
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => {});
    return run;
  };
  // Using the outer handle from inside a transaction would wait for that transaction forever.
  const inTx = new AsyncLocalStorage<{ open: boolean }>();
  const guard = () => {
    if (inTx.getStore()?.open) throw new Error('Db used inside its own transaction: use the tx handle');
  };

  const db: Db = {
    kind: 'pglite',
    query: async <T>(text: string, params?: unknown[]) => {
      guard();
      return (await mapped(exclusive(() => lite.query<T>(text, params)))) as { rows: T[] };
    },
    exec: async (sql) => {
      guard();
      return mapped(
        exclusive(async () => {
          try {
            return await lite.exec(sql);
          } catch (err) {
            // A script with its own BEGIN that fails midway leaves the one session in an aborted
            // transaction; end it before the next statement in line runs into it.
            await lite.query('rollback').catch(() => {});
            throw err;
          }
        }),
      );
    },
    transaction: async (fn) => {
      guard();
      return mapped(
        exclusive(() =>
          lite.transaction(async (t) => {
            const marker = { open: true };
            try {
              return await inTx.run(marker, () =>
                fn(
                  txHandle(
                    'pglite',
                    (q, p) => t.query(q, p),
                    (s) => t.exec(s),
                  ),
                ),
              );
            } finally {
              marker.open = false;
            }
          }),
        ),
      );
    },
    close: () => exclusive(() => lite.close()),
    listen: async (channel, onPayload) => {
      const unlisten = await exclusive(() => lite.listen(channel, onPayload));
      return () => exclusive(() => unlisten());
    },
  };
  if (schema) {
    // Session settings stick: PGlite has exactly one session.
    await db.exec(`create schema if not exists ${checkSchema(schema)}; set search_path to ${schema};`);
  }
  return db;
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.schema, options.poolMax) : openPglite(options.dataDir, options.schema);
}
