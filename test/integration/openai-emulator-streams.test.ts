// The OpenAI emulator's streamed completions, usage details and context limits, driven by the
// real `openai` SDK.
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator, StreamOutcome } from '../../src/emulators/http.ts';
import { createOpenAiEmulator } from '../../src/connectors/openai/emulator/index.ts';

describe('OpenAI emulator: streams, usage details and context limits', () => {
  let emu: Emulator;
  let url: string;
  let client: OpenAI;

  beforeAll(async () => {
    emu = createOpenAiEmulator({
      models: ['gpt-4o-mini', { id: 'small-ctx', contextWindow: 1_000 }, { id: 'o4-mini', reasoning: true, contextWindow: 200_000 }],
    });
    url = await emu.start();
    client = new OpenAI({ apiKey: 'demo', baseURL: `${url}/v1`, maxRetries: 0 });
  });
  afterAll(() => emu.stop());
  beforeEach(async () => {
    await fetch(`${url}/__control/reset`, { method: 'POST' });
  });

  const faults = (spec: Record<string, unknown>) => fetch(`${url}/__control/faults`, { method: 'POST', body: JSON.stringify(spec) });
  const messages = (content: string): OpenAI.Chat.ChatCompletionMessageParam[] => [
    { role: 'system', content: 'You summarise CRM accounts.' },
    { role: 'user', content },
  ];
  const caught = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
    );

  it('streams chunk deltas that add up to the whole answer, then [DONE]', async () => {
    const whole = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: messages('Stream Globex') });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: messages('Stream Globex'), stream: true });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id)).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(whole.usage!.completion_tokens);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.some((c) => c.usage)).toBe(false);

    const raw = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: messages('hi'), stream: true, max_tokens: 2 }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const lines = (await raw.text()).split('\n\n').filter(Boolean);
    expect(lines).toHaveLength(5); // role, 2 tokens, finish, [DONE]
    expect(lines.at(-1)).toBe('data: [DONE]');
  });

  it('sends a final usage chunk with stream_options.include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: messages('Usage please'),
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 6,
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: 6, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('length');
    const refused = await caught(client.chat.completions.create({ model: 'gpt-4o-mini', messages: messages('x'), stream_options: { include_usage: true } }));
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused!.param).toBe('stream_options');
  });

  it('sees a client that aborts mid-stream, and counts it', async () => {
    await faults({ tokenDelayMs: 100 }); // a stream of ~55 tokens then lasts ~5 s: time enough to leave it
    const ended = new Promise<StreamOutcome>((resolve) => emu.onStreamEnd(resolve));
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: messages('A long one'), stream: true });
    let deltas = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) deltas += 1;
      if (deltas === 3) break; // the SDK aborts the request when the loop is left
    }
    const outcome = await ended;
    console.log(`openai abort: ${outcome.tokensSent}/${outcome.tokensTotal} tokens sent, ${outcome.endedAt - outcome.startedAt} ms`);
    expect(outcome.end).toBe('aborted');
    expect(outcome.tokensSent).toBeGreaterThanOrEqual(3);
    expect(outcome.tokensSent).toBeLessThan(outcome.tokensTotal);
    const stats = (await (await fetch(`${url}/__control/stats`)).json()) as { streams: { aborted: number; opened: number } };
    expect(stats.streams).toMatchObject({ opened: 1, aborted: 1 });
  });

  it('cuts a stream half-way on a dropped response and drifts chunks', async () => {
    await faults({ dropResponseRate: 1, count: 1 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: messages('hi'), stream: true });
    const err = await (async () => {
      for await (const _ of stream) void _;
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(emu.stats().streams.dropped).toBe(1);

    await faults({ drift: true, count: 1 });
    const drifted = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: messages('hi'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const seen: Array<Record<string, unknown>> = [];
    for await (const chunk of drifted) seen.push(chunk as unknown as Record<string, unknown>);
    expect(seen.some((c) => c.usage)).toBe(false);
    expect(seen.every((c) => (c.choices as Array<Record<string, unknown>>).every((choice) => choice.delta === undefined))).toBe(true);
  });

  it('reports cached prompt tokens for a repeated long prefix', async () => {
    const policy = 'Account review policy, section by section. '.repeat(120); // ~1300 tokens
    const ask = (q: string) =>
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: policy },
          { role: 'user', content: q },
        ],
      });
    const first = await ask('Globex?');
    expect(first.usage!.prompt_tokens).toBeGreaterThan(1024);
    expect(first.usage!.prompt_tokens_details!.cached_tokens).toBe(0);
    const second = await ask('Hooli?');
    const cached = second.usage!.prompt_tokens_details!.cached_tokens!;
    expect(cached).toBeGreaterThanOrEqual(1024);
    expect(cached % 128).toBe(0);
    expect(cached).toBeLessThanOrEqual(second.usage!.prompt_tokens);
    const short = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: messages('short') });
    expect(short.usage!.prompt_tokens_details!.cached_tokens).toBe(0);
  });

  it('reports reasoning tokens for a reasoning model, within max_completion_tokens', async () => {
    const res = await client.chat.completions.create({ model: 'o4-mini', messages: messages('Think about Initech'), reasoning_effort: 'low' });
    const usage = res.usage!;
    expect(usage.completion_tokens_details!.reasoning_tokens).toBe(64);
    expect(usage.completion_tokens).toBe(64 + Math.ceil(res.choices[0]!.message.content!.length / 4));
    const starved = await client.chat.completions.create({ model: 'o4-mini', messages: messages('Think'), max_completion_tokens: 100 });
    expect(starved.choices[0]!.finish_reason).toBe('length');
    expect(starved.choices[0]!.message.content).toBe('');
    expect(starved.usage!.completion_tokens).toBe(100);
    expect(starved.usage!.completion_tokens_details!.reasoning_tokens).toBe(100);
    const old = await caught(client.chat.completions.create({ model: 'o4-mini', messages: messages('x'), max_tokens: 50 }));
    expect(old!.code).toBe('unsupported_parameter');
    const plain = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: messages('x') });
    expect(plain.usage!.completion_tokens_details!.reasoning_tokens).toBe(0);
  });

  it('refuses a prompt beyond the context window with context_length_exceeded; a larger model takes it', async () => {
    const long = messages('account history '.repeat(300)); // ~1200 tokens
    const err = await caught(client.chat.completions.create({ model: 'small-ctx', messages: long }));
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err!.code).toBe('context_length_exceeded');
    expect(err!.param).toBe('messages');
    expect(err!.message).toMatch(/maximum context length is 1000 tokens\. However, your messages resulted in \d+ tokens/);
    const withCompletion = await caught(client.chat.completions.create({ model: 'small-ctx', messages: messages('a '.repeat(800)), max_tokens: 900 }));
    expect(withCompletion!.message).toMatch(/you requested \d+ tokens \(\d+ in the messages, 900 in the completion\)/);
    const streamed = await caught(client.chat.completions.create({ model: 'small-ctx', messages: long, stream: true }));
    expect(streamed!.code).toBe('context_length_exceeded');
    expect((await client.chat.completions.create({ model: 'gpt-4o-mini', messages: long })).choices[0]!.finish_reason).toBe('stop');
  });
});
