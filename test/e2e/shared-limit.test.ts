// Two Switchyard processes on one Redis enforce one inbound limit: what one replica allowed,
// the other counts too. Needs a Redis server (REDIS_URL, as CI sets it).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, type Started } from '../helpers/process.ts';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.info('[tests] REDIS_URL unset: skipping the two-replica shared-limit test (it needs a Redis server)');

describe.skipIf(!REDIS_URL)('two replicas sharing one Redis (skipped without REDIS_URL)', () => {
  const LIMIT = 5;
  const BURST = 2;
  const dirs: string[] = [];
  let replicas: Started[] = [];
  // One client, known to both replicas by the same JWT subject.
  const jwt = { JWT_SECRET: randomBytes(32).toString('hex'), JWT_ISSUER: 'https://id.example.test', JWT_AUDIENCE: 'switchyard-e2e' };
  let token = '';

  beforeAll(async () => {
    const prefix = `sy_e2e_${randomBytes(4).toString('hex')}:`;
    replicas = await Promise.all(
      [0, 1].map(() => {
        const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-replica-'));
        dirs.push(dir);
        return startProcess({
          DATA_DIR: dir,
          REDIS_URL: REDIS_URL!,
          REDIS_KEY_PREFIX: prefix,
          INBOUND_RATE_LIMIT: String(LIMIT),
          INBOUND_BURST: String(BURST),
          INBOUND_RATE_WINDOW_MS: '60000',
          LOG_LEVEL: 'warn',
          ...jwt,
        });
      }),
    );
    token = await new SignJWT({ role: 'operator' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('replica-test-client')
      .setIssuer(jwt.JWT_ISSUER)
      .setAudience(jwt.JWT_AUDIENCE)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(jwt.JWT_SECRET));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('allows at most the limit plus its burst across both, and answers the rest 429 with Retry-After', async () => {
    const statuses: number[] = [];
    const retryAfter: (string | null)[] = [];
    for (let i = 0; i < 20; i++) {
      const replica = replicas[i % 2]!;
      const res = await fetch(replica.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        // Costs the minimum (1 point), so the limit counts operations.
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter.push(res.headers.get('retry-after'));
        const body = (await res.json()) as { errors: { extensions: { code: string; retryAfterMs: number } }[] };
        expect(body.errors[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
      } else {
        expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
      }
    }
    const allowed = statuses.filter((s) => s === 200).length;
    expect(allowed).toBe(LIMIT + BURST);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - LIMIT - BURST);
    for (const value of retryAfter) expect(Number(value)).toBeGreaterThan(0);
  });
});
