// The budget proof (DESIGN.md "AI"): 200 concurrent completions against a $0.50 daily budget,
// split across two `switchyard start` processes on one Redis. The spent total never passes the
// budget by more than one call's estimate, every refusal is BUDGET_EXCEEDED, and no refused call
// reaches the provider: the emulator answers exactly as many completions as were allowed.
// Needs a Redis server (REDIS_URL, as CI sets it).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, type Started } from '../helpers/process.ts';
import { startEmulators, type RunningEmulators } from '../../src/emulators/index.ts';
import { DEMO_SECRET_KEY } from '../../src/connectors/stripe/index.ts';
import { DEMO_ACCESS_TOKEN } from '../../src/connectors/hubspot/index.ts';
import { DEMO_API_KEY } from '../../src/connectors/openai/index.ts';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.info('[tests] REDIS_URL unset: skipping the two-replica AI budget test (it needs a Redis server)');

const BUDGET_USD = 0.5;
const CALLS = 200;
const MAX_TOKENS = 64;
// Priced high, so that about half of the 200 calls fit the budget: $20 and $80 per 1M tokens.
const PRICES = { 'gpt-4o-mini': { input: 20, output: 80 } };

describe.skipIf(!REDIS_URL)('AI budgets across two replicas on one Redis (skipped without REDIS_URL)', { timeout: 300_000 }, () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sy-ai-replicas-'));
  const prefix = `sy_e2e_${randomBytes(4).toString('hex')}:`;
  const jwt = { JWT_SECRET: randomBytes(32).toString('hex'), JWT_ISSUER: 'https://id.example.test', JWT_AUDIENCE: 'switchyard-e2e' };
  let emulators: RunningEmulators;
  let replicas: Started[] = [];
  let token = '';

  beforeAll(async () => {
    emulators = await startEmulators({ options: { hubspot: { rateLimit: false }, stripe: { rateLimit: false } } });
    const aiConfig = path.join(root, 'ai.json');
    writeFileSync(
      aiConfig,
      JSON.stringify({ capabilities: { chat: { chain: [{ provider: 'openai', model: 'gpt-4o-mini' }], budget: { dailyUsd: BUDGET_USD } } } }),
    );
    replicas = await Promise.all(
      [0, 1].map((i) =>
        startProcess(
          {
            DEMO: 'false',
            DATA_DIR: path.join(root, `data-${i}`),
            REDIS_URL: REDIS_URL!,
            REDIS_KEY_PREFIX: prefix,
            STRIPE_SECRET_KEY: DEMO_SECRET_KEY,
            STRIPE_API_BASE: emulators.urls.stripe,
            HUBSPOT_ACCESS_TOKEN: DEMO_ACCESS_TOKEN,
            HUBSPOT_API_BASE: emulators.urls.hubspot,
            OPENAI_API_KEY: DEMO_API_KEY,
            OPENAI_BASE_URL: `${emulators.urls.openai}/v1`,
            AI_CONFIG: aiConfig,
            AI_PRICES: JSON.stringify(PRICES),
            INBOUND_RATE_LIMIT: '1000000',
            LOG_LEVEL: 'warn',
            ...jwt,
          },
          { startMs: 240_000 },
        ),
      ),
    );
    token = await new SignJWT({ role: 'operator' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('budget-test-client')
      .setIssuer(jwt.JWT_ISSUER)
      .setAudience(jwt.JWT_AUDIENCE)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(jwt.JWT_SECRET));
  }, 300_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await emulators?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('never spends past the budget by more than one estimate, and makes no call after a refusal', async () => {
    emulators.openai.resetStats();
    const query = 'mutation($input: CompleteInput!) { complete(input: $input) { costUsd } }';
    const call = async (i: number) => {
      const res = await fetch(replicas[i % 2]!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables: { input: { prompt: `Summarise ticket #${i}`, maxTokens: MAX_TOKENS } } }),
      });
      const body = (await res.json()) as { data?: { complete: { costUsd: number } }; errors?: { extensions: Record<string, unknown> }[] };
      return { replica: i % 2, body };
    };
    // One call on each replica first, so neither is still loading its AI client when the other
    // has reserved the whole budget; then the rest at once, ten in flight per replica, so the two
    // race for the same budget through the whole burst.
    const results = [await call(0), await call(1)];
    const lanes = Array.from({ length: 20 }, async (_, lane) => {
      for (let i = 2 + lane; i < CALLS; i += 20) results.push(await call(i));
    });
    await Promise.all(lanes);
    const answered = results.filter((r) => r.body.data?.complete);
    const refused = results.filter((r) => r.body.errors);
    for (const r of refused)
      expect(r.body.errors![0]!.extensions).toMatchObject({ code: 'BUDGET_EXCEEDED', budget: 'capability:chat', unit: 'usd', limit: BUDGET_USD });
    expect(answered.length + refused.length).toBe(CALLS);
    // Both replicas answered and refused: the budget is one across them.
    for (const replica of [0, 1]) {
      expect(answered.some((r) => r.replica === replica)).toBe(true);
      expect(refused.some((r) => r.replica === replica)).toBe(true);
    }
    // The largest a call can be reserved for: its prompt (estimated generously) and its whole allowance.
    const estimate = (40 * PRICES['gpt-4o-mini'].input + MAX_TOKENS * PRICES['gpt-4o-mini'].output) / 1e6;
    const spent = answered.reduce((s, r) => s + r.body.data!.complete.costUsd, 0);
    expect(spent).toBeLessThanOrEqual(BUDGET_USD + estimate);
    // Most of the budget was usable. Calls in flight hold their (pessimistic) estimates, so under
    // this burst refusals begin a little before the real spend reaches the limit, never after.
    expect(spent).toBeGreaterThan(0.8 * BUDGET_USD);
    // No refused call reached the provider.
    expect(emulators.openai.stats().byRoute['POST /v1/chat/completions']).toBe(answered.length);
    // The shared ledger holds what the answered calls cost, settled to their real usage.
    const redis = new Redis(REDIS_URL!, { keyPrefix: prefix });
    const day = new Date().toISOString().slice(0, 10);
    const units = Number(await redis.hget(`ai-budget:{${day}}:capability:chat`, 'u'));
    redis.disconnect();
    expect(units / 1e8).toBeCloseTo(spent, 6);
    console.info(
      `[ai budget proof] ${answered.length} answered, ${refused.length} refused, spent $${spent.toFixed(6)} of $${BUDGET_USD} (one estimate: $${estimate.toFixed(6)})`,
    );
  });
});
