// What the store-backed benchmarks share: each case is measured on embedded PGlite and, when
// DATABASE_URL is set, on Postgres, and the run prints one JSON object with the machine beside
// the figures.
import os from 'node:os';

export type Backend = 'pglite' | 'postgres';

const round = (n: number) => Math.round(n * 10) / 10;

export async function printPerBackend(measure: (backend: Backend) => Promise<unknown>, settings: Record<string, unknown> = {}): Promise<never> {
  const result: Record<string, unknown> = { node: process.version, cpus: os.cpus().length, loadAverage: os.loadavg().map(round), ...settings };
  result.pglite = await measure('pglite');
  if (process.env.DATABASE_URL) result.postgres = await measure('postgres');
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}
