// The targets of a run: how each is started, how the benchmark authenticates to it, and what
// it leaves behind.
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { SignJWT } from 'jose';
import { Redis } from 'ioredis';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'src/bin.mjs');

export type TargetId = 'switchyard' | 'apollo' | 'yoga' | 'mercurius' | 'naive' | 'ceiling';

export interface TargetSpec {
  id: TargetId;
  title: string;
  /** Node arguments after any profiling flags. */
  args: string[];
  /** Uses the shared connectors (pipeline, cache): gets REDIS_URL when the run has one. */
  pipeline: boolean;
}

const tsx = (file: string) => ['--import', 'tsx', path.join(ROOT, file)];

export const TARGETS: TargetSpec[] = [
  { id: 'switchyard', title: 'Switchyard (everything on)', args: [BIN, 'start'], pipeline: true },
  { id: 'apollo', title: 'Apollo Server 5, bare', args: tsx('bench/targets/apollo.ts'), pipeline: true },
  { id: 'yoga', title: 'GraphQL Yoga', args: tsx('bench/targets/yoga.ts'), pipeline: true },
  { id: 'mercurius', title: 'Mercurius + graphql-jit', args: tsx('bench/targets/mercurius.ts'), pipeline: true },
  { id: 'naive', title: 'naive gateway (SDK per field)', args: tsx('bench/naive/server.ts'), pipeline: false },
  // Plain node (its own type stripping), no tsx: the ceiling loads nothing it does not need.
  { id: 'ceiling', title: 'ceiling (node:http, precomputed)', args: [path.join(ROOT, 'bench/targets/ceiling.ts')], pipeline: false },
];

/** Process environment every target starts from: nothing inherited but the basics. */
export function baseEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

export type AuthMode = 'jwt' | 'api-key';

export interface SwitchyardAuth {
  /** Added to the target's environment. */
  env: Record<string, string>;
  /** Sent with every request, as a real client would. */
  headers(): Promise<Record<string, string>>;
  /** After the target has stopped: revokes what headers() created. */
  cleanup(): Promise<void>;
}

/**
 * JWT: Switchyard verifies HS256 tokens with a fresh secret; the benchmark signs an admin token
 * (role claim `admin`) with jose, as an identity provider would. API key: `switchyard keys create
 * --role admin` against the target's own store, before it starts (PGlite allows one process).
 */
export function switchyardAuth(mode: AuthMode, targetEnv: () => NodeJS.ProcessEnv): SwitchyardAuth {
  if (mode === 'jwt') {
    const secret = randomBytes(32).toString('base64url');
    const issuer = 'https://bench.switchyard.invalid/';
    const audience = 'switchyard';
    return {
      env: { JWT_SECRET: secret, JWT_ISSUER: issuer, JWT_AUDIENCE: audience },
      async headers() {
        const token = await new SignJWT({ role: 'admin' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('bench-admin')
          .setIssuer(issuer)
          .setAudience(audience)
          .setIssuedAt()
          .setExpirationTime('2h')
          .sign(new TextEncoder().encode(secret));
        return { authorization: `Bearer ${token}` };
      },
      cleanup: async () => undefined,
    };
  }
  let id: string | undefined;
  return {
    env: {},
    async headers() {
      const { stdout } = await run(process.execPath, [BIN, 'keys', 'create', '--role', 'admin', '--name', 'benchmark', '--json'], { env: targetEnv() });
      const created = JSON.parse(stdout.trim().split('\n').at(-1)!) as { key: string; id: string };
      id = created.id;
      return { 'x-api-key': created.key };
    },
    async cleanup() {
      if (id) await run(process.execPath, [BIN, 'keys', 'revoke', id], { env: targetEnv() });
    },
  };
}

/** A run's cache, quota and limit keys (they expire anyway; this leaves Redis as it was). */
export async function forgetRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<string[]>) if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
