// Values the whole deployment shares through its store (deployment_state): every replica on the
// same database reads the same one, and the first writer wins a race.
import type { Db } from './db.ts';

export interface DeploymentStore {
  get(name: string): Promise<string | null>;
  /** The stored value of `name`; when there is none, stores `make()` unless another writer got there first. */
  getOrCreate(name: string, make: () => string): Promise<string>;
}

export function createDeploymentStore(db: Db): DeploymentStore {
  const get = async (name: string) => (await db.query<{ value: string }>(`select value from deployment_state where name = $1`, [name])).rows[0]?.value ?? null;
  return {
    get,
    async getOrCreate(name, make) {
      const existing = await get(name);
      if (existing !== null) return existing;
      await db.query(`insert into deployment_state (name, value) values ($1, $2) on conflict (name) do nothing`, [name, make()]);
      const stored = await get(name);
      if (stored === null) throw new Error(`deployment_state ${name} vanished after insert`);
      return stored;
    },
  };
}
