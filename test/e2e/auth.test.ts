// The keys CLI and production's refusal to start without authentication, as real processes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, startProcess, type Started } from '../helpers/process.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-auth-e2e-'));
// Production also needs the audit trail's MAC key (test/e2e/audit-tamper.test.ts covers its absence).
const ENV = {
  DATA_DIR: dir,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  DATABASE_URL: '',
  REDIS_URL: '',
  PORT: '0',
  DEMO_EMULATOR_PORTS: '0,0,0',
  AUDIT_HMAC_KEY: 'e2e-auth-audit-key-0123456789abcdef',
};

function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
}

const gql = (server: Started, query: string, key?: string) =>
  fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) }, body: JSON.stringify({ query }) });

// Each test starts one to three processes (each opens the embedded store: a few seconds apiece).
describe('switchyard keys, and production start', { timeout: 300_000 }, () => {
  let server: Started | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start in production without JWT settings or an API key, naming what is missing', async () => {
    const child = spawn(process.execPath, [BIN, 'start'], { env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/NODE_ENV=production needs authentication: set JWT_SECRET or JWT_JWKS_URL .* or create an API key first with `switchyard keys create/);
  });

  let key: string;
  let id: string;
  it('keys create prints a key once; keys list shows it without its secret; a bad role exits 2', async () => {
    const created = await cli('keys', 'create', '--role', 'operator', '--name', 'support tool');
    expect(created.code).toBe(0);
    key = /^(syk_[0-9a-f]{16}_[0-9a-f]{64})$/m.exec(created.out)![1]!;
    id = key.slice(4, 20);
    expect(created.out).toContain(`Key ${id} (operator, "support tool") created`);

    const listed = await cli('keys', 'list');
    expect(listed.out).toMatch(new RegExp(`${id}\\s+support tool\\s+operator\\s+active`));
    expect(listed.out).not.toContain(key.slice(21));

    const bad = await cli('keys', 'create', '--role', 'superuser', '--name', 'x');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--role must be one of admin, operator, app, customer, service');
  });

  it('then starts in production: the key works, Sandbox and introspection are off, no demo keys are printed', async () => {
    server = await startProcess(ENV);
    expect(server.output()).not.toMatch(/syk_/);
    const ok = (await (await gql(server, '{ customers(first: 1) { totalCount } }', key)).json()) as { data: { customers: { totalCount: number } } };
    expect(ok.data.customers.totalCount).toBe(200);
    const introspection = (await (await gql(server, '{ __schema { types { name } } }', key)).json()) as { errors: { message: string }[] };
    expect(introspection.errors[0]!.message).toMatch(/introspection/i);
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    await page.body?.cancel();
    expect(await server.stop()).toBe(0);
    server = undefined;
  });

  it('keys revoke: the key is listed as revoked, and production has no way in again', async () => {
    const revoked = await cli('keys', 'revoke', id);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toMatch(new RegExp(`Key ${id} \\("support tool"\\) revoked at \\d{4}-`));
    expect((await cli('keys', 'list', '--json')).out).toMatch(/"revokedAt":"\d{4}-/);
    const again = await cli('start');
    expect(again.code).toBe(2);
  });
});
