// The security settings of loadConfig: JWT verification, secrets from files, introspection and
// Sandbox by environment, operation limits and persisted operations.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'sy-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

function error(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('configuration accepted');
}

const JWT = { JWT_SECRET: 's'.repeat(32), JWT_ISSUER: 'https://idp.test/', JWT_AUDIENCE: 'switchyard' };

describe('security configuration', () => {
  it('has no JWT verification, and documented limits, by default', () => {
    const c = loadConfig({});
    expect(c.jwt).toBeUndefined();
    expect(c.graphql).toEqual({
      introspection: true,
      sandbox: true,
      executor: 'compiled',
      apqMaxBytes: 8_388_608,
      limits: { maxDepth: 12, maxAliases: 30, maxTokens: 3_000, maxDocumentBytes: 32_768, maxCost: 10_000 },
    });
    expect(c.persistedOperations).toBeUndefined();
  });

  it('runs operations compiled unless told otherwise, and names a bad executor', () => {
    expect(loadConfig({ GRAPHQL_EXECUTOR: 'standard' }).graphql.executor).toBe('standard');
    expect(error({ GRAPHQL_EXECUTOR: 'fast' })).toMatch(/GRAPHQL_EXECUTOR must be compiled or standard/);
  });

  it('turns introspection and Sandbox off in production unless configured', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).graphql).toMatchObject({ introspection: false, sandbox: false });
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true', GRAPHQL_SANDBOX: 'true' }).graphql).toMatchObject({
      introspection: true,
      sandbox: true,
    });
    expect(loadConfig({ GRAPHQL_INTROSPECTION: 'false' }).graphql.introspection).toBe(false);
  });

  it('accepts HS256 with issuer and audience, and defaults its algorithms and skew', () => {
    expect(loadConfig(JWT).jwt).toEqual({
      secret: 's'.repeat(32),
      jwksUrl: undefined,
      issuer: 'https://idp.test/',
      audience: 'switchyard',
      algorithms: ['HS256'],
      clockSkewSeconds: 30,
      roleClaim: 'role',
    });
    expect(loadConfig({ JWT_JWKS_URL: 'https://idp.test/jwks.json', JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' }).jwt!.algorithms).toEqual([
      'RS256',
      'PS256',
      'ES256',
      'EdDSA',
    ]);
  });

  it.each([
    [{ ...JWT, JWT_SECRET: 'short' }, 'JWT_SECRET: JWT_SECRET must be at least 32 characters'],
    [{ ...JWT, JWT_JWKS_URL: 'https://idp.test/jwks' }, 'JWT_SECRET: set either JWT_SECRET or JWT_JWKS_URL'],
    [{ JWT_SECRET: JWT.JWT_SECRET, JWT_AUDIENCE: 'a' }, 'JWT_ISSUER: is required'],
    [{ JWT_SECRET: JWT.JWT_SECRET, JWT_ISSUER: 'i' }, 'JWT_AUDIENCE: is required'],
    [{ JWT_ISSUER: 'i' }, 'JWT_ISSUER: has no effect without JWT_SECRET or JWT_JWKS_URL'],
    [{ ...JWT, JWT_ALGORITHMS: 'RS256' }, 'JWT_ALGORITHMS: RS256 is not usable with JWT_SECRET'],
    [{ ...JWT, JWT_ALGORITHMS: 'none' }, 'JWT_ALGORITHMS: none is not usable'],
    [{ NODE_ENV: 'production', JWT_JWKS_URL: 'http://idp.test/jwks', JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' }, 'JWT_JWKS_URL: must be https://'],
    [{ GRAPHQL_MAX_DEPTH: '0' }, 'GRAPHQL_MAX_DEPTH'],
    [{ GRAPHQL_MAX_COST: 'lots' }, 'GRAPHQL_MAX_COST'],
    [{ PERSISTED_OPERATIONS_MODE: 'safelist' }, 'PERSISTED_OPERATIONS_MODE: safelist needs PERSISTED_OPERATIONS_MANIFEST'],
  ])('refuses %o naming the setting', (env, message) => {
    expect(error(env as Record<string, string>)).toContain(message);
  });

  it('reads secrets from NAME_FILE, trimmed, for every secret', () => {
    const c = loadConfig({
      JWT_SECRET_FILE: file('jwt', `${'j'.repeat(40)}\n`),
      JWT_ISSUER: 'i',
      JWT_AUDIENCE: 'a',
      STRIPE_SECRET_KEY_FILE: file('stripe', 'sk_test_fromfile\n'),
      HUBSPOT_ACCESS_TOKEN_FILE: file('hubspot', 'pat-fromfile'),
      OPENAI_API_KEY_FILE: file('openai', 'sk-fromfile'),
      DATABASE_URL_FILE: file('db', 'postgres://u:secret@db:5432/sy\n'),
    });
    expect(c.jwt!.secret).toBe('j'.repeat(40));
    expect(['stripe', 'hubspot', 'openai'].map((n) => Object.values(c.connectors.find((i) => i.name === n)!.settings as object)[0])).toEqual([
      'sk_test_fromfile',
      'pat-fromfile',
      'sk-fromfile',
    ]);
    expect(c.databaseUrl).toBe('postgres://u:secret@db:5432/sy');
  });

  it('refuses a secret set both ways, an unreadable file and an empty one', () => {
    expect(error({ STRIPE_SECRET_KEY: 'sk_a', STRIPE_SECRET_KEY_FILE: file('s2', 'sk_b') })).toContain(
      'STRIPE_SECRET_KEY_FILE: set either STRIPE_SECRET_KEY or STRIPE_SECRET_KEY_FILE',
    );
    expect(error({ OPENAI_API_KEY_FILE: path.join(dir, 'missing') })).toMatch(/OPENAI_API_KEY_FILE: cannot read .*ENOENT/);
    expect(error({ OPENAI_API_KEY_FILE: file('empty', '\n') })).toContain('is empty');
  });

  it('never echoes a secret value in its error message', () => {
    const message = error({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('hunter2');
    expect(error({ JWT_SECRET: 'hunter2', JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' })).not.toContain('hunter2');
    expect(error({ CURSOR_SECRET: 'hunter2' })).toContain('CURSOR_SECRET must be at least 32 characters');
    expect(error({ CURSOR_SECRET: 'hunter2' })).not.toContain('hunter2');
  });

  it('takes CURSOR_SECRET as set or from a file, and leaves it unset by default (a generated one in the store)', () => {
    expect(loadConfig({}).cursorSecret).toBeUndefined();
    expect(loadConfig({ CURSOR_SECRET_FILE: file('cursor', `${'c'.repeat(32)}\n`) }).cursorSecret).toBe('c'.repeat(32));
  });
});
