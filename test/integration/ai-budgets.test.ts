// AI budgets (DESIGN.md "AI"): an estimate is reserved before a capability's chain runs, against
// the capability's daily budget and the principal's; a call that would pass one is refused with
// BUDGET_EXCEEDED and never reaches a provider; the reservation settles to the real usage, or is
// released when no link answered; 80% and 100% alert once each. On the store's ledger (PGlite,
// and Postgres with DATABASE_URL) and on Redis (REDIS_URL), where two stacks share one prefix.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AiBudgets } from '../../src/ai/budgets/index.ts';
import { BACKENDS, SHARED_STORES, startStack, type Backend, type Stack } from '../helpers/stack.ts';
import { principalFor } from '../helpers/principals.ts';

type Result = Awaited<ReturnType<Stack['run']>>;
type Usage = { promptTokens: number; completionTokens: number; totalTokens: number };

const COMPLETE = `mutation($input: CompleteInput!) { complete(input: $input) { text usage { promptTokens completionTokens totalTokens } } }`;
const PROMPT = 'Say hello';
// What the router reserves for PROMPT: 3 + (3 + ceil(9 / 4)) prompt tokens, plus the allowance.
const PROMPT_ESTIMATE = 9;
// gpt-4o-mini, USD per token (src/connectors/openai/prices.ts).
const IN = 0.15 / 1e6;
const OUT = 0.6 / 1e6;

const link = (maxTokens?: number) => ({ provider: 'openai', model: 'gpt-4o-mini', ...(maxTokens ? { maxTokens } : {}) });
const AI_CONFIG = {
  capabilities: {
    chat: { chain: [link(16)], budget: { dailyTokens: 110 } },
    summarize: { chain: [link()], budget: { dailyTokens: 2100 } },
    classify: { chain: [link()], budget: { dailyUsd: 0.001 } },
    mine: { chain: [link(16)], perPrincipal: { dailyTokens: 60 } },
    strict: { chain: [link(16)], budget: { dailyTokens: 30 } },
    burst: { chain: [link(16)], budget: { dailyTokens: 250 } },
  },
};

function configFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sy-ai-budgets-')), 'ai.json');
  writeFileSync(file, JSON.stringify(AI_CONFIG));
  return file;
}

const ask = (capability: string, maxTokens: number) => ({ input: { prompt: PROMPT, capability, maxTokens } });
const usage = (r: Result) => (r.data as { complete: { usage: Usage } }).complete.usage;
const cost = (u: Usage) => u.promptTokens * IN + u.completionTokens * OUT;
const code = (r: Result) => r.errors?.[0]?.extensions?.code;
const nextMidnight = () => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)).toISOString();
};

interface Setup {
  name: string;
  backend: Backend;
  shared: 'memory' | 'redis';
}
const SETUPS: Setup[] = [
  ...BACKENDS.map((backend) => ({ name: `the ${backend} store`, backend, shared: 'memory' as const })),
  ...(SHARED_STORES.includes('redis') ? [{ name: 'Redis', backend: 'pglite' as const, shared: 'redis' as const }] : []),
];

describe.each(SETUPS)('AI budgets on $name', ({ backend, shared }) => {
  const redisPrefix = `sy_test_${randomBytes(6).toString('hex')}:`;
  const AI = configFile();
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(backend, { env: { AI_CONFIG: AI }, shared, redisPrefix });
  });
  afterAll(() => stack?.stop());

  const upstreamCalls = () => stack.emulators.openai.stats().total;
  const budgetAlerts = (budget: string) => stack.server.ops.alerts.firing().filter((a) => a.connector === budget);

  it('refuses the call that would pass the budget with BUDGET_EXCEEDED and no upstream call; alerts at 80% and 100% once each', async () => {
    const totals: number[] = [];
    let refused: Result | undefined;
    for (let i = 0; i < 12 && !refused; i++) {
      const before = upstreamCalls();
      const res = await stack.run(COMPLETE, ask('chat', 16));
      if (res.errors) {
        refused = res;
        expect(upstreamCalls()).toBe(before);
      } else {
        totals.push(usage(res).totalTokens);
        const spent = totals.reduce((a, b) => a + b, 0);
        expect(budgetAlerts('capability:chat').map((a) => a.condition)).toEqual(spent >= 88 ? ['ai_budget'] : []);
      }
    }
    const spent = totals.reduce((a, b) => a + b, 0);
    expect(code(refused!)).toBe('BUDGET_EXCEEDED');
    expect(refused!.errors![0]!.extensions).toMatchObject({ budget: 'capability:chat', unit: 'tokens', limit: 110, spent, resetAt: nextMidnight() });
    expect(spent + PROMPT_ESTIMATE + 16).toBeGreaterThan(110);
    // Refused again: no second alert of either level.
    expect(code(await stack.run(COMPLETE, ask('chat', 16)))).toBe('BUDGET_EXCEEDED');
    expect(
      budgetAlerts('capability:chat')
        .map((a) => a.condition)
        .sort(),
    ).toEqual(['ai_budget', 'ai_budget_spent']);
  });

  it('settles each reservation to the real usage, so spent is what the calls used, to the token', async () => {
    // Three reservations of 1009 tokens would not fit in 2100 if the estimates stayed charged.
    const totals: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await stack.run(COMPLETE, ask('summarize', 1000));
      expect(res.errors).toBeUndefined();
      totals.push(usage(res).totalTokens);
    }
    const spent = totals.reduce((a, b) => a + b, 0);
    // One token over what is left: refused, naming exactly what was used.
    const over = await stack.run(COMPLETE, ask('summarize', 2100 - spent - PROMPT_ESTIMATE + 1));
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: 'BUDGET_EXCEEDED', budget: 'capability:summarize', spent, limit: 2100 });
    // Exactly what is left: it runs.
    const fits = await stack.run(COMPLETE, ask('summarize', 2100 - spent - PROMPT_ESTIMATE));
    expect(fits.errors).toBeUndefined();
  });

  it('prices a USD budget from the price table', async () => {
    let spent = 0;
    for (let i = 0; i < 2; i++) {
      const res = await stack.run(COMPLETE, ask('classify', 1000));
      expect(res.errors).toBeUndefined();
      spent += cost(usage(res));
    }
    const left = 0.001 - spent - PROMPT_ESTIMATE * IN;
    const over = await stack.run(COMPLETE, ask('classify', Math.ceil(left / OUT) + 1));
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: 'BUDGET_EXCEEDED', budget: 'capability:classify', unit: 'usd', limit: 0.001 });
    expect(over.errors![0]!.extensions!.spent).toBeCloseTo(spent, 7);
  });

  it('applies per-principal limits to each principal apart', async () => {
    const alice = principalFor('operator', { id: 'alice' });
    const bob = principalFor('operator', { id: 'bob' });
    let refused: Result | undefined;
    for (let i = 0; i < 8 && !refused; i++) {
      const res = await stack.run(COMPLETE, ask('mine', 16), alice);
      if (res.errors) refused = res;
    }
    expect(refused?.errors?.[0]?.extensions).toMatchObject({ code: 'BUDGET_EXCEEDED', budget: 'principal:alice:mine', unit: 'tokens', limit: 60 });
    const other = await stack.run(COMPLETE, ask('mine', 16), bob);
    expect(other.errors).toBeUndefined();
  });

  it.skipIf(shared === 'redis')('drops the ledger rows of past days from the store, keeping yesterday', async () => {
    const db = stack.connectors.store.db;
    await db.query(
      `insert into ai_budget_usage (budget, day, spent_usd, spent_tokens) values ('capability:old', current_date - 5, 1, 1), ('capability:old', current_date - 1, 1, 1)`,
    );
    const ledger = new AiBudgets({ store: stack.connectors.store });
    await ledger.reserve({ capability: 'old', budget: { dailyTokens: 10 }, principalId: null }, { tokens: 1, usd: 0 });
    await vi.waitFor(async () => {
      const { rows } = await db.query<{ age: number }>(`select (current_date - day) as age from ai_budget_usage where budget = 'capability:old' order by day`);
      expect(rows.map((r) => Number(r.age))).toEqual([1, 0]);
    });
  });

  it('releases the reservation when no link answered', async () => {
    // A refused input (an unknown model) ends the chain: nothing was used, nothing stays charged.
    const rejected = await stack.run(COMPLETE, { input: { prompt: PROMPT, capability: 'strict', maxTokens: 16, model: 'no-such-model' } });
    expect(code(rejected)).toBe('UPSTREAM_REJECTED');
    const ok = await stack.run(COMPLETE, ask('strict', 16));
    expect(ok.errors).toBeUndefined();
    const again = await stack.run(COMPLETE, ask('strict', 16));
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BUDGET_EXCEEDED', spent: usage(ok).totalTokens });
  });

  it(`holds under 50 concurrent completions${shared === 'redis' ? ' split across two replicas on one Redis' : ''}`, async () => {
    const other = shared === 'redis' ? await startStack(backend, { env: { AI_CONFIG: AI }, shared, redisPrefix, emulators: stack.emulators }) : undefined;
    try {
      const before = upstreamCalls();
      const replicas = other ? [stack, other] : [stack];
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => replicas[i % replicas.length]!.run(COMPLETE, ask('burst', 16))));
      const answered = results.filter((r) => !r.errors);
      const refusals = results.filter((r) => r.errors);
      expect(refusals.every((r) => code(r) === 'BUDGET_EXCEEDED')).toBe(true);
      // No refused call reached the provider: one upstream request per answer.
      expect(upstreamCalls() - before).toBe(answered.length);
      const spent = answered.reduce((n, r) => n + usage(r).totalTokens, 0);
      // Never over the limit by more than one call's estimate (here: not at all, the estimate is exact).
      expect(spent).toBeLessThanOrEqual(250 + PROMPT_ESTIMATE + 16);
      // The emulator fills the 16-token allowance, so each call used exactly its estimate: ten
      // fit, and none ran once the budget was full.
      expect(answered.map((r) => usage(r).totalTokens)).toEqual(answered.map(() => PROMPT_ESTIMATE + 16));
      expect(answered.length).toBe(10);
      const after = await stack.run(COMPLETE, ask('burst', 16));
      expect(after.errors?.[0]?.extensions).toMatchObject({ code: 'BUDGET_EXCEEDED', budget: 'capability:burst', spent });
    } finally {
      await other?.stop();
    }
  });
});
