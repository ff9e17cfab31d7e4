// Several connectors of one kind side by side: OpenAI and Anthropic as AI providers, and a second
// OpenAI-compatible instance from CONNECTOR_INSTANCES, each with its own breaker and quota;
// AI_PROVIDER picks the one that answers.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.ts';
import { FaultController } from '../../src/emulators/faults.ts';

const COMPLETE =
  'mutation { complete(input: { prompt: "Say hello", maxTokens: 16 }) { text model provider usage { promptTokens completionTokens totalTokens } } }';

const ATTEMPTS = 'mutation { complete(input: { prompt: "Say hello", maxTokens: 16 }) { provider attempts { provider outcome } } }';

function policyFile(policy: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sy-instances-')), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

describe('AI_PROVIDER=anthropic', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite', { env: { AI_PROVIDER: 'anthropic' } });
  });
  afterAll(() => stack?.stop());

  it('answers `complete` with the Anthropic provider, on its own SDK, reporting its usage', async () => {
    stack.emulators.anthropic.resetStats();
    stack.emulators.openai.resetStats();
    const res = await stack.run<{
      complete: { text: string; model: string; provider: string; usage: { promptTokens: number; completionTokens: number; totalTokens: number } };
    }>(COMPLETE);
    expect(res.errors).toBeUndefined();
    expect(res.data!.complete).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5' });
    expect(res.data!.complete.text.length).toBeGreaterThan(0);
    const u = res.data!.complete.usage;
    expect(u.totalTokens).toBe(u.promptTokens + u.completionTokens);
    expect(stack.emulators.anthropic.stats().total).toBe(1);
    expect(stack.emulators.openai.stats().total).toBe(0);
  });

  it("maps its errors into the taxonomy: an unknown model is the caller's input", async () => {
    const res = await stack.run('mutation { complete(input: { prompt: "hi", model: "claude-nope" }) { id } }');
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', connector: 'anthropic' });
  });
});

describe('CONNECTOR_INSTANCES=groq:openai', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite', {
      env: {
        CONNECTOR_INSTANCES: 'groq:openai',
        AI_PROVIDER: 'groq',
        POLICY_FILE: policyFile({ groq: { breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } } }),
      },
    });
  });
  afterAll(() => stack?.stop());

  it('is an instance of its own beside openai and anthropic, and answers as AI_PROVIDER names it', async () => {
    expect(stack.connectors.instances.map((c) => c.name)).toEqual(['stripe', 'hubspot', 'openai', 'anthropic', 'groq', 'notify.slack', 'notify.webhook']);
    const res = await stack.run<{ complete: { provider: string } }>(COMPLETE);
    expect(res.errors).toBeUndefined();
    expect(res.data!.complete.provider).toBe('groq');
  });

  it('has its own breaker: failing calls open it, and openai, on the same server, stays closed', async () => {
    // The built-in chain is groq (AI_PROVIDER), then openai, then anthropic: groq and openai share
    // the emulator, so the 4 faults fail both twice, and anthropic answers each time.
    stack.emulators.openai.faults.set(FaultController.parse({ status: 500, count: 4 }));
    for (let i = 0; i < 2; i++) {
      const res = await stack.run<{ complete: { provider: string; attempts: { provider: string; outcome: string }[] } }>(ATTEMPTS);
      expect(res.errors).toBeUndefined();
      expect(res.data!.complete.attempts.map((a) => [a.provider, a.outcome])).toEqual([
        ['groq', 'transient'],
        ['openai', 'transient'],
        ['anthropic', 'ok'],
      ]);
    }
    expect(stack.connectors.pipeline.health('groq').circuit).toBe('open');
    expect(stack.connectors.pipeline.health('openai').circuit).toBe('closed');
    // groq is not called at all now; openai, on the same server, answers (its own breaker, its own quota).
    const refused = await stack.run<{ complete: { provider: string; attempts: { provider: string; outcome: string }[] } }>(ATTEMPTS);
    expect(refused.data!.complete.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['groq', 'circuit_open'],
      ['openai', 'ok'],
    ]);
    // The openai instance still answers (its own breaker, its own quota).
    const openai = stack.connectors.aiProviders.find((p) => p.name === 'openai')!;
    const direct = await openai.complete({ messages: [{ role: 'user', content: 'hi' }], model: 'gpt-4o-mini', temperature: null, maxTokens: 8 });
    expect(direct.provider).toBe('openai');
  });
});
