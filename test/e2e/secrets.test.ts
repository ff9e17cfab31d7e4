// No secret in any log line: a live-mode Switchyard (providers configured, pointed at the
// emulators) with JWT verification, its secrets partly from *_FILE, runs varied traffic with
// API keys (one issued through the graph) and JWTs, good and bad, at LOG_LEVEL=trace; every line it and the keys CLI print is
// then searched for every configured secret, every issued key and every token sent.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type RunningEmulators } from '../../src/emulators/index.ts';
import { BIN, startProcess, type Started } from '../helpers/process.ts';
import { HOSTILE } from '../../bench/hostile.ts';

const hex = (n: number) => randomBytes(n).toString('hex');
const SECRETS = {
  stripe: `sk_test_${hex(16)}`,
  hubspot: `pat-na1-${hex(16)}`,
  openai: `sk-${hex(20)}`,
  jwt: hex(32),
  audit: hex(32),
};
const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'switchyard';

describe('secrets never reach the logs', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-secrets-'));
  let emulators: RunningEmulators;
  let env: Record<string, string>;
  let server: Started;
  const cliOutput: string[] = [];
  const issued: string[] = [];

  function cli(...args: string[]): Promise<string> {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    return new Promise((resolve) => child.once('exit', () => resolve(out)));
  }

  beforeAll(async () => {
    emulators = await startEmulators();
    writeFileSync(path.join(dir, 'hubspot-token'), `${SECRETS.hubspot}\n`);
    writeFileSync(path.join(dir, 'jwt-secret'), SECRETS.jwt);
    writeFileSync(path.join(dir, 'audit-key'), SECRETS.audit);
    env = {
      // The CLI and the server share the embedded store under DATA_DIR (one after the other).
      DATABASE_URL: '',
      REDIS_URL: '',
      DATA_DIR: dir,
      DEMO: 'false',
      LOG_LEVEL: 'trace',
      STRIPE_SECRET_KEY: SECRETS.stripe,
      STRIPE_API_BASE: emulators.urls.stripe,
      HUBSPOT_ACCESS_TOKEN_FILE: path.join(dir, 'hubspot-token'),
      HUBSPOT_API_BASE: emulators.urls.hubspot,
      OPENAI_API_KEY: SECRETS.openai,
      OPENAI_BASE_URL: `${emulators.urls.openai}/v1`,
      JWT_SECRET_FILE: path.join(dir, 'jwt-secret'),
      AUDIT_HMAC_KEY_FILE: path.join(dir, 'audit-key'),
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    };
    for (const [role, extra] of [
      ['admin', []],
      ['app', []],
      ['service', ['--scopes', 'ai:complete,payments:read']],
    ] as const) {
      const out = await cli('keys', 'create', '--role', role, '--name', `grep ${role}`, ...extra);
      cliOutput.push(out);
      issued.push(/^(syk_\S+)$/m.exec(out)![1]!);
    }
    server = await startProcess(env);
  }, 400_000);

  afterAll(async () => {
    await server?.stop();
    await emulators?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds for every line, after traffic that exercised every credential path', async () => {
    const [admin, app, service] = issued as [string, string, string];
    const key = new TextEncoder().encode(SECRETS.jwt);
    const jwt = (claims: Record<string, unknown>, exp = '5m') =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('grep-user').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(exp).sign(key);
    const tokens = [await jwt({ role: 'operator' }), await jwt({ role: 'admin' }, '-1h')];
    tokens.push(`${tokens[0]!.slice(0, -4)}AAAA`);
    const sent = [...tokens];
    let posts = 0;
    const post = async (body: unknown, headers: Record<string, string>) => {
      posts++;
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': `grep-${sent.length}`, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return (await res.json()) as { data?: Record<string, { id?: string }>; errors?: { extensions: { code: string } }[] };
    };

    const created = await post(
      { query: 'mutation { createCustomer(input: { email: "grep@example.com", name: "Gre P" }) { id linkStatus } }' },
      { 'x-api-key': admin },
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createCustomer!.id!;
    const read = `{ customer(id: "${id}") { email name crmContact { email } payments { edges { node { id } } } totalPaid { formatted } } }`;
    expect((await post({ query: read }, { authorization: `Bearer ${admin}` })).errors).toBeUndefined();
    const paid = await post(
      {
        query: `mutation { createPayment(input: { customerId: "${id}", amount: 1200, currency: "EUR", paymentMethod: "pm_card_visa", idempotencyKey: "grep-payment-1" }) { id } }`,
      },
      { authorization: `Bearer ${tokens[0]}` },
    );
    expect(paid.errors).toBeUndefined();
    expect((await post({ query: 'mutation { complete(input: { prompt: "hello" }) { text } }' }, { 'x-api-key': service })).errors).toBeUndefined();
    expect((await post({ query: read }, { 'x-api-key': app })).errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    // Credentials sent as variables, under names the logs censor: the request's line carries its audit record.
    const asVariables = await post({ query: 'query Who { __typename }', variables: { jwt: tokens[0], apiKey: admin } }, { 'x-api-key': admin });
    expect(asVariables.errors).toBeUndefined();

    // A key issued through the graph: its secret is in the answer only, never in a log line.
    const made = await post(
      { query: 'mutation { createApiKey(input: { name: "grep graph", role: "service", scopes: ["ops:read"] }) { secret apiKey { id } } }' },
      { 'x-api-key': admin },
    );
    expect(made.errors).toBeUndefined();
    const graphKey = (made.data!.createApiKey as { secret?: string }).secret!;
    issued.push(graphKey);
    expect((await post({ query: '{ connectors { name } }' }, { 'x-api-key': graphKey })).errors).toBeUndefined();

    // Refusals: expired and forged tokens, wrong and malformed keys, both headers, limits, bad JSON.
    for (const headers of [
      { authorization: `Bearer ${tokens[1]}` } as Record<string, string>,
      { authorization: `Bearer ${tokens[2]}` },
      { 'x-api-key': `${admin.slice(0, -6)}000000` },
      { 'x-api-key': 'not-a-key-at-all' },
      { authorization: `Basic ${Buffer.from(`user:${SECRETS.jwt}`).toString('base64')}` },
      { authorization: `Bearer ${admin}`, 'x-api-key': service },
    ]) {
      expect((await post({ query: read }, headers)).errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    }
    expect((await post({ query: HOSTILE.depth50 }, { 'x-api-key': admin })).errors?.[0]?.extensions.code).toBe('OPERATION_LIMIT_EXCEEDED');
    expect((await post('{"query": ', { 'x-api-key': admin })).errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
    // The CRM refusing Switchyard's own credentials: logged as an upstream auth failure.
    await fetch(`${emulators.urls.hubspot}/__control/faults`, { method: 'POST', body: JSON.stringify({ status: 401 }) });
    const refusedByCrm = await post({ query: 'mutation { createCustomer(input: { email: "grep2@example.com" }) { id } }' }, { 'x-api-key': admin });
    expect(refusedByCrm.errors?.[0]?.extensions.code).toBe('UPSTREAM_AUTH_FAILED');
    await fetch(`${emulators.urls.hubspot}/__control/faults`, { method: 'POST', body: '{}' });
    await fetch(server.url.replace('/graphql', '/health/ready'));

    expect(await server.stop()).toBe(0);
    const lines = [...server.output().split('\n'), ...cliOutput.flatMap((o) => o.split('\n').filter((l) => l.startsWith('{')))].filter(Boolean);
    const logLines = lines.filter((l) => l.startsWith('{'));
    // One line per request, each with its audit record.
    const requestLines = logLines.filter((l) => l.includes('"msg":"request completed"') && l.includes('"url":"/graphql"'));
    expect(requestLines).toHaveLength(posts);
    for (const l of requestLines) expect(l).toContain('"audit":{');
    expect(
      logLines.filter((l) => l.includes('authentication refused')),
      'auth refusals logged',
    ).toHaveLength(6);

    const forbidden = [
      ...Object.values(SECRETS),
      ...issued,
      ...issued.map((k) => k.slice(-64)),
      ...sent,
      ...sent.map((t) => t.split('.')[2]!).filter((sig) => sig.length > 20),
    ];
    for (const line of lines) for (const secret of forbidden) expect(line.includes(secret), `a secret in: ${line.slice(0, 300)}`).toBe(false);
  });
});
