// Applies migrations/NNN_name.sql in order, each in its own transaction, once per schema.
import { readdir, readFile } from 'node:fs/promises';
import type { Db } from './db.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

export interface Migration {
  version: string;
  sql: string;
}

export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(files.map(async (f) => ({ version: f.slice(0, -'.sql'.length), sql: await readFile(new URL(f, dir), 'utf8') })));
}

/** Applies the pending migrations; returns the versions this call applied. */
export async function migrate(db: Db, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  const applied: string[] = [];
  for (const m of all) {
    const did = await db.transaction(async (tx) => {
      // Serializes migrators of the same schema (other schemas in the database are not held up);
      // the lock is held until commit, so a waiter then sees the row the winner inserted.
      await tx.query(`select pg_advisory_xact_lock(hashtext('switchyard.migrate:' || current_schema()))`);
      await tx.query(`create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())`);
      const done = await tx.query(`select 1 from schema_migrations where version = $1`, [m.version]);
      if (done.rows.length > 0) return false;
      await tx.exec(m.sql);
      await tx.query(`insert into schema_migrations (version) values ($1)`, [m.version]);
      return true;
    });
    if (did) applied.push(m.version);
  }
  return applied;
}
