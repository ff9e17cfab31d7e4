// Prepares a benchmark store before a target opens it: migrations and the 200 demo customers
// (the emulators' seed), in a Postgres schema (BENCH_DATABASE_URL + BENCH_DB_SCHEMA) or in an
// embedded PGlite directory (BENCH_PGLITE_DIR). Run as its own process: PGlite's directory
// belongs to one process at a time. The Postgres schema is the benchmark's alone and starts
// afresh each run: Switchyard's audit trail fills it with a row per request.
import pg from 'pg';
import { openStore } from '../../src/connectors/store/index.ts';
import { seedDemoCustomers } from '../../src/demo/store.ts';

const url = process.env.BENCH_DATABASE_URL;
const schema = process.env.BENCH_DB_SCHEMA;
if (url) {
  if (!schema || !/^[a-z_][a-z0-9_]*_bench$/.test(schema)) throw new Error(`BENCH_DB_SCHEMA must be a *_bench schema (got ${schema})`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
}
const store = await openStore(url ? { databaseUrl: url, schema } : { dataDir: process.env.BENCH_PGLITE_DIR });
await store.migrate();
const seeded = await seedDemoCustomers(store);
await store.close();
process.stdout.write(`${JSON.stringify({ seeded })}\n`);
