// Reads a persisted-operations manifest and checks it: every body must hash to its id, which
// catches a manifest generated with another algorithm (codegen's hashAlgorithm: 'sha1') before
// the first client is refused.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../config.ts';

export interface Manifest {
  /** Hash -> operation text, for requests that send only the hash. */
  bodies: ReadonlyMap<string, string>;
  /** Every listed hash, with or without its text. */
  hashes: ReadonlySet<string>;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const HASH = /^(?:sha256:)?([0-9a-fA-F]{64})$/;

/** Lower-case hex, without the `sha256:` prefix of GraphQL over HTTP document ids (codegen writes it). */
export const normalizeHash = (id: string): string => HASH.exec(id)?.[1]?.toLowerCase() ?? id;

const Codegen = z.record(z.string(), z.string());
const Apollo = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(z.object({ id: z.string(), body: z.string() })),
});
const HashList = z.array(z.string());

function fail(message: string): never {
  throw new ConfigError(`Invalid configuration:\n  PERSISTED_OPERATIONS_MANIFEST: ${message}`);
}

export function parseManifest(json: unknown, where = 'the manifest'): Manifest {
  let entries: [string, string | undefined][];
  const apollo = Apollo.safeParse(json);
  if (apollo.success) entries = apollo.data.operations.map((o) => [o.id, o.body]);
  else if (Array.isArray(json) && HashList.safeParse(json).success) entries = (json as string[]).map((h) => [h, undefined]);
  else if (Codegen.safeParse(json).success) entries = Object.entries(json as Record<string, string>);
  else fail(`${where} is not a persisted-operations manifest (codegen's { hash: body }, Apollo's manifest, or a list of hashes)`);

  const bodies = new Map<string, string>();
  const hashes = new Set<string>();
  for (const [id, body] of entries) {
    const hash = HASH.test(id) ? normalizeHash(id) : undefined;
    if (!hash) fail(`${where}: ${JSON.stringify(id.slice(0, 80))} is not a SHA-256 hash (64 hex digits)`);
    if (body !== undefined) {
      if (sha256(body) !== hash) fail(`${where}: the operation listed as ${hash} does not hash to it with SHA-256 (was it generated with another algorithm?)`);
      bodies.set(hash, body);
    }
    hashes.add(hash);
  }
  return { bodies, hashes };
}

export function loadManifest(path: string): Manifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    fail(`cannot read ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail(`${JSON.stringify(path)} is not JSON`);
  }
  return parseManifest(json, JSON.stringify(path));
}
