// pg-boss talks to the database through `executeSql`. On embedded PGlite (one session) every
// statement must take its turn in the store's own queue (db.ts), so pg-boss goes through the
// store's Db rather than holding the PGlite instance itself; a transaction handle goes the same
// way, which is how a job is inserted in the caller's transaction on either store.
import type { Db as PgBossDb } from 'pg-boss';
import type { Db } from '../connectors/store/db.ts';

/** pg-boss's IDatabase over a Db or a transaction handle of one. */
export function pgBossDb(db: Db): PgBossDb {
  const out: PgBossDb = {
    async executeSql(text, values) {
      if (values?.length) return db.query(text, values);
      // Without parameters pg-boss may send several statements at once (a locked BEGIN ... COMMIT
      // block) and expects the rows of every one of them, as pg returns them.
      const results = await db.exec(text);
      return { rows: results.flatMap((r) => r.rows) };
    },
  };
  const listen = db.listen?.bind(db);
  if (listen) {
    // PGlite delivers its own NOTIFYs in-process: a job inserted (and committed) wakes a worker at
    // once instead of at its next poll. There is no connection to lose, so one subscribe is enough;
    // onReconnect asks pg-boss to fetch what was sent before it listened.
    out.listen = async (channel, onNotification, onReconnect) => {
      const unlisten = await listen(channel, onNotification);
      onReconnect();
      return { close: unlisten };
    };
  }
  return out;
}
