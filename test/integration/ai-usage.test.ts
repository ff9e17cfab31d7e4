// What AI calls cost, and where it shows (DESIGN.md "AI"): every call's tokens (cached and
// reasoning ones apart) and cost land in ai_usage, aiUsage groups and totals them, aiBudgets
// says what each budget has left, the audit record names capability, provider, model, tokens and
// cost (the answer only with AUDIT_AI_PROMPTS=keep). Embeddings run through the same chain and
// budgets; an opted-in temperature-0 capability answers a repeated request from its cache; a
// stream records its usage however it ends.
import type { ExecutionResult } from 'graphql';
import { jsonFile } from '../helpers/files.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { principalFor } from '../helpers/principals.ts';
import { FaultController } from '../../src/emulators/faults.ts';
import { OPENAI_PRICES } from '../../src/connectors/openai/prices.ts';

const AI_CONFIG = {
  capabilities: {
    chat: {
      chain: [
        { provider: 'openai', model: 'gpt-4o-mini' },
        { provider: 'anthropic', model: 'claude-haiku-4-5' },
      ],
      budget: { dailyUsd: 10 },
      perPrincipal: { dailyTokens: 1_000_000 },
    },
    classify: { chain: [{ provider: 'openai', model: 'gpt-4o-mini' }], temperature: 0, cache: { ttlSeconds: 600 } },
    search: { kind: 'embed', chain: [{ provider: 'openai', model: 'text-embedding-3-small' }], budget: { dailyTokens: 100_000 } },
  },
};

const COMPLETE = `mutation($input: CompleteInput!) { complete(input: $input) {
  text provider model capability costUsd cached estimated usage { promptTokens completionTokens totalTokens cachedTokens reasoningTokens } attempts { provider outcome } } }`;
const USAGE = `query($groupBy: [AiUsageDimension!], $from: DateTime, $to: DateTime) { aiUsage(groupBy: $groupBy, from: $from, to: $to) {
  groups { capability provider model principalId day totals { calls cacheHits costUsd totalTokens } }
  totals { calls cacheHits estimatedCalls unpricedCalls promptTokens completionTokens cachedTokens totalTokens costUsd } truncated } }`;
const STREAM = `subscription($input: CompleteInput!) { completeStream(input: $input) { delta completion { text provider model estimated costUsd usage { promptTokens completionTokens totalTokens } attempts { provider outcome } } } }`;

interface Completion {
  text: string;
  provider: string;
  model: string;
  costUsd: number | null;
  cached: boolean;
  estimated: boolean;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number; cachedTokens: number; reasoningTokens: number };
  attempts: { provider: string; outcome: string }[];
}

const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) * 1e8) / 1e8;

describe.each(BACKENDS)('AI usage and cost on %s', (backend) => {
  let stack: Stack;
  const alice = principalFor('service', { grants: ['ai:complete'], id: 'svc-alice' });
  const costs: number[] = [];
  const complete = async (input: Record<string, unknown>, as = alice) => {
    const res = await stack.run<{ complete: Completion }>(COMPLETE, { input }, as);
    expect(res.errors).toBeUndefined();
    return res.data!.complete;
  };
  const flush = () => stack.server.services.ai.usage.flush();

  beforeAll(async () => {
    stack = await startStack(backend, { env: { AI_CONFIG: jsonFile('ai.json', AI_CONFIG), AUDIT_AI_PROMPTS: 'keep' } });
  });
  afterAll(() => stack?.stop());

  it('prices prompt, cached and completion tokens apart, and records every call in ai_usage', async () => {
    // Past 1 024 tokens, the provider's prompt cache serves the repeated prefix the second time.
    const long = 'Summarise the account history of this customer in two sentences. '.repeat(90);
    const first = await complete({ prompt: long, maxTokens: 32 });
    const second = await complete({ prompt: long, maxTokens: 32 });
    expect(first.usage.cachedTokens).toBe(0);
    expect(second.usage.cachedTokens).toBeGreaterThan(1000);
    const p = OPENAI_PRICES['gpt-4o-mini']!;
    for (const c of [first, second]) {
      const { promptTokens, cachedTokens, completionTokens } = c.usage;
      const expected = ((promptTokens - cachedTokens) * p.input + cachedTokens * p.cachedInput! + completionTokens * p.output) / 1e6;
      expect(c.costUsd).toBeCloseTo(expected, 8);
      costs.push(c.costUsd!);
    }
    expect(second.costUsd!).toBeLessThan(first.costUsd!);
    await flush();
    const rows = await stack.connectors.store.db.query<{ cached_tokens: number; cost_usd: string; principal_id: string; via: string }>(
      `select cached_tokens, cost_usd::text, principal_id, via from ai_usage order by id`,
    );
    expect(rows.rows.map((r) => [r.cached_tokens, Number(r.cost_usd), r.principal_id, r.via])).toEqual([
      [0, first.costUsd, alice.id, 'call'],
      [second.usage.cachedTokens, second.costUsd, alice.id, 'call'],
    ]);
  });

  it('answers "how much are we spending on AI?" with one number, and by capability, provider, model, principal and day', async () => {
    const fell = (stack.emulators.openai.faults.set(FaultController.parse({ status: 500, count: 1 })), await complete({ prompt: 'Say hi', maxTokens: 16 }));
    expect(fell.provider).toBe('anthropic');
    costs.push(fell.costUsd!);
    const bob = principalFor('service', { grants: ['ai:complete'], id: 'svc-bob' });
    costs.push((await complete({ prompt: 'Say hello', maxTokens: 16 }, bob)).costUsd!);
    await flush();
    const all = await stack.run<{ aiUsage: { totals: { calls: number; costUsd: number } } }>(USAGE, {});
    expect(all.data!.aiUsage.totals).toMatchObject({ calls: 4, costUsd: sum(costs) });
    const res = await stack.run<{
      aiUsage: { groups: { capability: string; provider: string; principalId: string; day: string; totals: { calls: number; costUsd: number } }[] };
    }>(USAGE, { groupBy: ['CAPABILITY', 'PROVIDER', 'MODEL', 'PRINCIPAL', 'DAY'] });
    const groups = res.data!.aiUsage.groups;
    const today = new Date().toISOString().slice(0, 10);
    expect(groups.map((g) => [g.provider, g.principalId, g.totals.calls]).sort()).toEqual(
      [
        ['anthropic', alice.id, 1],
        ['openai', alice.id, 2],
        ['openai', bob.id, 1],
      ].sort(),
    );
    expect(groups.every((g) => g.capability === 'chat' && g.day === today)).toBe(true);
    expect(sum(groups.map((g) => g.totals.costUsd))).toBe(sum(costs));
    // A range that holds none of them.
    const before = await stack.run<{ aiUsage: { totals: { calls: number } } }>(USAGE, { from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' });
    expect(before.data!.aiUsage.totals.calls).toBe(0);
  });

  it('refuses a bad range with a coded error', async () => {
    const res = await stack.run(USAGE, { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    const wide = await stack.run(USAGE, { from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' });
    expect(wide.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
  });

  it('shows each budget with its limit, spent and remaining, and the per-principal ones of who used them', async () => {
    const res = await stack.run<{ aiBudgets: Record<string, unknown>[] }>(
      `{ aiBudgets { name capability principalId limitUsd spentUsd remainingUsd limitTokens spentTokens remainingTokens resetsAt } }`,
    );
    expect(res.errors).toBeUndefined();
    const byName = new Map(res.data!.aiBudgets.map((b) => [b.name as string, b]));
    const chat = byName.get('capability:chat')!;
    expect(chat).toMatchObject({ capability: 'chat', principalId: null, limitUsd: 10, limitTokens: null });
    expect(chat.spentUsd as number).toBeCloseTo(sum(costs), 6);
    expect(chat.remainingUsd as number).toBeCloseTo(10 - sum(costs), 6);
    expect(byName.get(`principal:${alice.id}:chat`)).toMatchObject({ principalId: alice.id, limitTokens: 1_000_000, limitUsd: null });
    expect(byName.get(`principal:${alice.id}:chat`)!.spentTokens as number).toBeGreaterThan(2000);
    expect(byName.get('capability:search')).toMatchObject({ limitTokens: 100_000, spentTokens: 0, remainingTokens: 100_000 });
    expect(new Date(chat.resetsAt as string).getUTCHours()).toBe(0);
    // Operators' figures: an app sees none of it.
    const app = await stack.run(`{ aiBudgets { name } }`, undefined, principalFor('app'));
    expect(app.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('names capability, provider, model, tokens and cost in the audit record, and keeps the answer only with AUDIT_AI_PROMPTS=keep', async () => {
    const answer = await complete({ prompt: 'Audit me', maxTokens: 16 });
    await stack.server.ops.writer.flush();
    const { rows } = await stack.connectors.store.db.query<{ record: { ai: Record<string, unknown>[]; variables: unknown } }>(
      `select record from audit_events where record->'ai' <> '[]'::jsonb order by seq desc limit 1`,
    );
    const ai = rows[0]!.record.ai;
    expect(ai).toEqual([
      expect.objectContaining({
        capability: 'chat',
        provider: 'openai',
        model: answer.model,
        promptTokens: answer.usage.promptTokens,
        completionTokens: answer.usage.completionTokens,
        costUsd: answer.costUsd,
        via: 'call',
        response: answer.text,
      }),
    ]);
  });

  it('embeds through the capability chain and its budget, with usage and cost', async () => {
    const res = await stack.run<{ embed: Record<string, unknown> & { vectors: number[][] } }>(
      `mutation($input: EmbedInput!) { embed(input: $input) { vectors dimensions model provider capability costUsd usage { promptTokens totalTokens } attempts { provider outcome } } }`,
      { input: { capability: 'search', texts: ['refund policy', 'refund policies', 'shipping times'] } },
      alice,
    );
    expect(res.errors).toBeUndefined();
    const e = res.data!.embed;
    expect(e).toMatchObject({ dimensions: 1536, model: 'text-embedding-3-small', provider: 'openai', capability: 'search' });
    expect(e.vectors).toHaveLength(3);
    const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    // Texts that share words are closer than texts that do not.
    expect(cos(e.vectors[0]!, e.vectors[1]!)).toBeGreaterThan(cos(e.vectors[0]!, e.vectors[2]!));
    const usage = e.usage as { promptTokens: number };
    expect(e.costUsd).toBeCloseTo((usage.promptTokens * 0.02) / 1e6, 10);
    const wrong = await stack.run(`mutation { embed(input: { capability: "chat", texts: ["x"] }) { model } }`, undefined, alice);
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.capability' });
    const none = await stack.run(`mutation { embed(input: { capability: "search", texts: [] }) { model } }`, undefined, alice);
    expect(none.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.texts' });
  });

  it('answers a repeated temperature-0 request from the response cache: no upstream call, no cost', async () => {
    const input = { capability: 'classify', prompt: 'Classify: "my card was charged twice"', maxTokens: 16 };
    const first = await complete(input);
    stack.emulators.openai.resetStats();
    const again = await complete(input);
    expect(stack.emulators.openai.stats().total).toBe(0);
    expect(again).toMatchObject({ text: first.text, model: first.model, cached: true, costUsd: 0, attempts: [] });
    expect(first.cached).toBe(false);
    // Any change to the request is another request.
    await complete({ ...input, maxTokens: 17 });
    await complete({ ...input, temperature: 0.5 });
    expect(stack.emulators.openai.stats().total).toBe(2);
    await flush();
    const res = await stack.run<{ aiUsage: { groups: { capability: string; totals: { calls: number; cacheHits: number } }[] } }>(USAGE, {
      groupBy: ['CAPABILITY'],
    });
    expect(res.data!.aiUsage.groups.find((g) => g.capability === 'classify')!.totals).toEqual(expect.objectContaining({ calls: 4, cacheHits: 1 }));
  });

  it('streams deltas then the whole answer, falling back only before the first delta, and records the stream', async () => {
    stack.emulators.openai.faults.set(FaultController.parse({ status: 503, count: 1 }));
    const sub = (await stack.subscribe(STREAM, { input: { prompt: 'Stream me a sentence', maxTokens: 40 } }, alice)) as AsyncGenerator<ExecutionResult>;
    const events: { delta: string; completion: (Completion & { estimated: boolean }) | null }[] = [];
    for await (const e of sub) {
      expect(e.errors).toBeUndefined();
      events.push((e.data as { completeStream: (typeof events)[number] }).completeStream);
    }
    const last = events.at(-1)!.completion!;
    expect(events.length).toBeGreaterThan(3);
    expect(
      events
        .slice(0, -1)
        .map((e) => e.delta)
        .join(''),
    ).toBe(last.text);
    expect(last).toMatchObject({ provider: 'anthropic', estimated: false });
    expect(last.attempts.map((a) => a.outcome)).toEqual(['transient', 'ok']);
    expect(last.usage.completionTokens).toBeGreaterThan(0);
  });

  it('aborts the upstream request when the client goes away mid-stream, and still records and charges the usage', async () => {
    stack.emulators.openai.faults.set(FaultController.parse({ tokenDelayMs: 40 }));
    const ended = new Promise<string>((resolve) => {
      const off = stack.emulators.openai.onStreamEnd((o) => (off(), resolve(o.end)));
    });
    const before = (await stack.server.services.ai.budgets!.status([{ name: 'capability:chat' }])).spent[0]!;
    const client = new AbortController();
    const sub = (await stack.subscribe(
      STREAM,
      { input: { prompt: 'A long answer, please', maxTokens: 200 } },
      alice,
      client.signal,
    )) as AsyncGenerator<ExecutionResult>;
    let deltas = 0;
    for await (const _e of sub) if (++deltas === 3) client.abort();
    expect(await ended).toBe('aborted');
    stack.emulators.openai.faults.clear();
    await flush();
    const { rows } = await stack.connectors.store.db.query<{ via: string; estimated: boolean; completion_tokens: number; cost_usd: string }>(
      `select via, estimated, completion_tokens, cost_usd::text from ai_usage order by id desc limit 1`,
    );
    expect(rows[0]).toMatchObject({ via: 'stream', estimated: true });
    expect(rows[0]!.completion_tokens).toBeGreaterThanOrEqual(3);
    const after = (await stack.server.services.ai.budgets!.status([{ name: 'capability:chat' }])).spent[0]!;
    expect(after.usd).toBeCloseTo(before.usd + Number(rows[0]!.cost_usd), 8);
  });
});

describe('AI text in the audit with AUDIT_AI_PROMPTS=redact (the default)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite');
  });
  afterAll(() => stack?.stop());

  it('keeps neither the prompt nor the answer, on HTTP-style calls and streams alike', async () => {
    const prompt = 'The secret plan is codenamed Bluebird';
    const res = await stack.run<{ complete: { text: string } }>(COMPLETE, { input: { prompt, maxTokens: 24 } });
    expect(res.errors).toBeUndefined();
    const sub = (await stack.subscribe(STREAM, { input: { prompt, maxTokens: 24 } })) as AsyncGenerator<ExecutionResult>;
    for await (const _e of sub);
    await stack.server.ops.writer.flush();
    const { rows } = await stack.connectors.store.db.query<{ record: string }>(
      `select record::text as record from audit_events where record->'ai' <> '[]'::jsonb`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const { record } of rows) {
      expect(record).not.toContain('Bluebird');
      expect(record).not.toContain(res.data!.complete.text.slice(0, 40));
      expect(JSON.parse(record).ai[0]).not.toHaveProperty('response');
    }
  });
});
