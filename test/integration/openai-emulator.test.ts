// The OpenAI emulator driven by the real `openai` SDK, so its shapes and errors are the SDK's.
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulators/http.ts';
import { createOpenAiEmulator } from '../../src/connectors/openai/emulator/index.ts';

describe('OpenAI emulator with the openai SDK', () => {
  let emu: Emulator;
  let url: string;
  let client: OpenAI;

  beforeAll(async () => {
    emu = createOpenAiEmulator();
    url = await emu.start();
    client = new OpenAI({ apiKey: 'demo', baseURL: `${url}/v1`, maxRetries: 0 });
  });
  afterAll(() => emu.stop());
  beforeEach(async () => {
    await fetch(`${url}/__control/reset`, { method: 'POST' });
  });

  const ask = (content: string, extra: Partial<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming> = {}) =>
    client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You summarise CRM accounts.' },
        { role: 'user', content },
      ],
      ...extra,
    });

  it('answers a chat completion with usage', async () => {
    const res = await ask('Summarise Ada Lovelace at Northwind');
    expect(res.object).toBe('chat.completion');
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.model).toBe('gpt-4o-mini');
    const choice = res.choices[0]!;
    expect(choice.finish_reason).toBe('stop');
    expect(choice.message.role).toBe('assistant');
    expect(choice.message.refusal).toBeNull();
    expect(choice.message.content).toContain('Summarise Ada Lovelace at Northwind');
    expect(res.usage!.completion_tokens).toBe(Math.ceil(choice.message.content!.length / 4));
    expect(res.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
    expect(res.system_fingerprint).toMatch(/^fp_/);
  });

  it('is deterministic for the same model and messages', async () => {
    const a = await ask('What changed for Globex?');
    const b = await ask('What changed for Globex?');
    const c = await ask('What changed for Hooli?');
    const d = await ask('What changed for Globex?', { model: 'gpt-4o' });
    expect(b.choices[0]!.message.content).toBe(a.choices[0]!.message.content);
    expect(c.choices[0]!.message.content).not.toBe(a.choices[0]!.message.content);
    expect(d.choices[0]!.message.content).not.toBe(a.choices[0]!.message.content);
    expect(a.id).not.toBe(b.id);
  });

  it('stops at max_tokens with finish_reason length', async () => {
    const res = await ask('Write a long account summary', { max_tokens: 5 });
    expect(res.choices[0]!.finish_reason).toBe('length');
    expect(res.usage!.completion_tokens).toBe(5);
    expect(res.choices[0]!.message.content!.length).toBeLessThanOrEqual(20);
    const viaNewName = await ask('Write a long account summary', { max_completion_tokens: 3 });
    expect(viaNewName.usage!.completion_tokens).toBe(3);
  });

  it('rejects an unknown model with NotFoundError', async () => {
    const err = await ask('hi', { model: 'gpt-9-ultra' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });

  it('rejects bad parameters with BadRequestError naming the param', async () => {
    const hot = await ask('hi', { temperature: 3 }).catch((e: unknown) => e);
    expect(hot).toBeInstanceOf(OpenAI.BadRequestError);
    expect((hot as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('temperature');
    const role = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'robot' as 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect((role as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages[0].role');
    const empty = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }).catch((e: unknown) => e);
    expect((empty as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('empty_array');
  });

  it('rejects a bad key with AuthenticationError', async () => {
    const bad = new OpenAI({ apiKey: 'expired', baseURL: `${url}/v1`, maxRetries: 0 });
    const err = await bad.models.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
    const none = await fetch(`${url}/v1/models`);
    expect(none.status).toBe(401);
  });

  it('lists and retrieves models', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['gpt-4o-mini', 'gpt-4o', 'llama-3.1-8b-instruct']);
    const one = await client.models.retrieve('gpt-4o');
    expect(one).toMatchObject({ id: 'gpt-4o', object: 'model', owned_by: 'system' });
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('surfaces an injected 429 as RateLimitError with retry-after', async () => {
    await fetch(`${url}/__control/faults`, { method: 'POST', body: JSON.stringify({ retryAfterSeconds: 7, count: 1 }) });
    const err = await ask('hi').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const rl = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rl.headers.get('retry-after')).toBe('7');
    expect(rl.code).toBe('rate_limit_exceeded');
    expect((await ask('hi')).choices).toHaveLength(1);
  });

  it('drifts the response shape when told to', async () => {
    await fetch(`${url}/__control/faults`, { method: 'POST', body: JSON.stringify({ drift: true, count: 1 }) });
    const drifted = (await ask('hi')) as unknown as { choices: Array<Record<string, unknown>>; usage?: unknown };
    expect(drifted.choices[0]!.message).toBeUndefined();
    expect(typeof drifted.choices[0]!.text).toBe('string');
    expect(drifted.usage).toBeUndefined();
    const normal = await ask('hi');
    expect(normal.choices[0]!.message.content).toBe(drifted.choices[0]!.text);
  });

  it('sends request id and rate-limit headers', async () => {
    const { response } = await ask('hi').withResponse();
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(Number(response.headers.get('openai-processing-ms'))).toBeGreaterThan(0);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('10000');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('9999');
  });
});
