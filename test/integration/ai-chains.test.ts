// Capabilities and fallback chains (DESIGN.md "AI"): the primary provider (the OpenAI emulator)
// fails with 500s, 429s, timeouts and an open circuit in turn, and the secondary (the Anthropic
// emulator) answers each time; a refused input ends the chain; all links failing is one coded
// error listing every link.
import { jsonFile } from '../helpers/files.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.ts';
import { principalFor } from '../helpers/principals.ts';
import { FaultController } from '../../src/emulators/faults.ts';

interface Attempt {
  provider: string;
  model: string;
  outcome: string;
  latencyMs: number;
}
type Completion = { complete: { text: string; provider: string; model: string; capability: string; attempts: Attempt[] } };

const COMPLETE = `mutation($input: CompleteInput!) { complete(input: $input) { text provider model capability attempts { provider model outcome latencyMs } } }`;
const ask = (extra: Record<string, unknown> = {}) => ({ input: { prompt: 'Say hello', maxTokens: 16, ...extra } });
const outcomes = (r: Completion) => r.complete.attempts.map((a) => [a.provider, a.model, a.outcome]);

// The primary's link has a short deadline, so an injected delay longer than it is a timeout.
const AI_CONFIG = {
  capabilities: {
    chat: {
      chain: [
        { provider: 'openai', model: 'gpt-4o-mini', timeoutMs: 400 },
        { provider: 'anthropic', model: 'claude-haiku-4-5', maxTokens: 64 },
      ],
    },
    summarize: { chain: [{ provider: 'anthropic', model: 'claude-haiku-4-5' }], temperature: 0 },
  },
};
const FELL_BACK = (outcome: string) => [
  ['openai', 'gpt-4o-mini', outcome],
  ['anthropic', 'claude-haiku-4-5', 'ok'],
];

describe('a capability whose primary fails', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite', { env: { AI_CONFIG: jsonFile('ai.json', AI_CONFIG) } });
  });
  afterAll(() => stack?.stop());

  it('answers from the primary when it is up, reporting capability and one attempt', async () => {
    const res = await stack.run<Completion>(COMPLETE, ask());
    expect(res.errors).toBeUndefined();
    expect(res.data!.complete).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', capability: 'chat' });
    expect(outcomes(res.data!)).toEqual([['openai', 'gpt-4o-mini', 'ok']]);
  });

  it.each([
    ['500s', { status: 500, count: 1 }, 'transient'],
    ['429s', { status: 429, count: 1 }, 'rate_limited'],
    ['a delay past the link timeout', { latencyMs: 1_500, count: 1 }, 'timeout'],
  ])('falls back to the secondary on %s', async (_name, fault, outcome) => {
    stack.emulators.openai.faults.set(FaultController.parse(fault));
    const res = await stack.run<Completion>(COMPLETE, ask());
    expect(res.errors).toBeUndefined();
    expect(res.data!.complete).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5', capability: 'chat' });
    expect(res.data!.complete.text.length).toBeGreaterThan(0);
    expect(outcomes(res.data!)).toEqual(FELL_BACK(outcome));
    stack.emulators.openai.faults.clear();
  });

  it('does not retry a refused input on the next link: a model override runs on the first provider only', async () => {
    stack.emulators.anthropic.resetStats();
    const res = await stack.run(COMPLETE, ask({ model: 'no-such-model' }));
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', connector: 'openai', field: 'model' });
    expect(stack.emulators.anthropic.stats().total).toBe(0);
  });

  it('answers UPSTREAM_UNAVAILABLE naming the capability and every link when all fail', async () => {
    stack.emulators.openai.faults.set(FaultController.parse({ status: 500, count: 1 }));
    stack.emulators.anthropic.faults.set(FaultController.parse({ status: 500, count: 1 }));
    const res = await stack.run(COMPLETE, ask());
    expect(res.data).toBeNull();
    const error = res.errors![0]!;
    expect(error.message).toMatch(/capability chat/);
    expect(error.extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      capability: 'chat',
      attempts: [
        { provider: 'openai', model: 'gpt-4o-mini', outcome: 'transient' },
        { provider: 'anthropic', model: 'claude-haiku-4-5', outcome: 'transient' },
      ],
    });
  });

  it('routes by the capability named, and refuses an unknown one naming the field', async () => {
    const res = await stack.run<Completion>(COMPLETE, ask({ capability: 'summarize' }));
    expect(res.errors).toBeUndefined();
    expect(res.data!.complete).toMatchObject({ provider: 'anthropic', capability: 'summarize' });
    const unknown = await stack.run(COMPLETE, ask({ capability: 'translate' }));
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.capability' });
    expect(unknown.errors?.[0]?.message).toMatch(/configured: chat, summarize/);
  });

  it('lets only principals with ai:models override the model', async () => {
    const service = principalFor('service', { grants: ['ai:complete'] });
    const refused = await stack.run(COMPLETE, ask({ model: 'gpt-4o' }), service);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: ['ai:models'], argument: 'input.model' });
    expect(refused.errors?.[0]?.message).toMatch(/input\.model.*ai:models/);
    expect((await stack.run(COMPLETE, ask(), service)).errors).toBeUndefined();
    const operator = await stack.run<Completion>(COMPLETE, ask({ model: 'gpt-4o' }), principalFor('operator'));
    expect(operator.errors).toBeUndefined();
    expect(operator.data!.complete.model).toBe('gpt-4o');
  });
});

describe('a primary whose circuit is open', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite', {
      env: {
        AI_CONFIG: jsonFile('ai.json', AI_CONFIG),
        POLICY_FILE: jsonFile('policy.json', { openai: { breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } } }),
      },
    });
  });
  afterAll(() => stack?.stop());

  it('sends nothing to the primary, and the secondary answers', async () => {
    stack.emulators.openai.faults.set(FaultController.parse({ status: 500, count: 2 }));
    for (let i = 0; i < 2; i++) {
      const res = await stack.run<Completion>(COMPLETE, ask());
      expect(outcomes(res.data!)).toEqual(FELL_BACK('transient'));
    }
    expect(stack.connectors.pipeline.health('openai').circuit).toBe('open');
    stack.emulators.openai.resetStats();
    const res = await stack.run<Completion>(COMPLETE, ask());
    expect(res.errors).toBeUndefined();
    expect(res.data!.complete.provider).toBe('anthropic');
    expect(outcomes(res.data!)).toEqual(FELL_BACK('circuit_open'));
    expect(stack.emulators.openai.stats().total).toBe(0);
  });
});

describe('a prompt too long for the first model', () => {
  let stack: Stack;
  // llama-3.1-8b-instruct runs with an 8k window on the emulated OpenAI-compatible server.
  const LONG = { input: { messages: [0, 1].map(() => ({ role: 'USER', content: 'Here is the whole ticket history again. '.repeat(500) })), maxTokens: 16 } };
  beforeAll(async () => {
    const capabilities = {
      chat: {
        chain: [
          { provider: 'openai', model: 'llama-3.1-8b-instruct', contextWindow: 8_192 },
          { provider: 'openai', model: 'gpt-4o-mini' },
          { provider: 'anthropic', model: 'claude-haiku-4-5', contextWindow: 200_000 },
        ],
      },
      undeclared: {
        chain: [
          { provider: 'openai', model: 'llama-3.1-8b-instruct' },
          { provider: 'anthropic', model: 'claude-haiku-4-5' },
        ],
      },
    };
    stack = await startStack('pglite', { env: { AI_CONFIG: jsonFile('ai.json', { capabilities }) } });
  });
  afterAll(() => stack?.stop());

  it('goes on to the next link that declares a larger context window, skipping one that declares none', async () => {
    const res = await stack.run<Completion>(COMPLETE, LONG);
    expect(res.errors).toBeUndefined();
    expect(outcomes(res.data!)).toEqual([
      ['openai', 'llama-3.1-8b-instruct', 'context_length'],
      ['anthropic', 'claude-haiku-4-5', 'ok'],
    ]);
  });

  it('ends the chain with the refusal where no window is declared', async () => {
    stack.emulators.anthropic.resetStats();
    const res = await stack.run(COMPLETE, { input: { ...LONG.input, capability: 'undeclared' } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', connector: 'openai' });
    expect(stack.emulators.anthropic.stats().total).toBe(0);
  });
});
