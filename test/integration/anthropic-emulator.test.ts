// The Anthropic Messages emulator driven by the real @anthropic-ai/sdk, so its shapes, events
// and errors are the ones the SDK parses.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnthropicEmulator } from '../../src/connectors/anthropic/emulator/index.ts';
import type { Emulator, StreamOutcome } from '../../src/emulators/http.ts';

describe('Anthropic emulator with @anthropic-ai/sdk', () => {
  let emu: Emulator;
  let url: string;
  let client: Anthropic;

  beforeAll(async () => {
    emu = createAnthropicEmulator({
      models: [
        { id: 'claude-haiku-4-5', maxOutputTokens: 64_000 },
        { id: 'claude-small-test', contextWindow: 2_000, maxOutputTokens: 1_000 },
      ],
    });
    url = await emu.start();
    client = new Anthropic({ apiKey: 'demo', baseURL: url, maxRetries: 0 });
  });
  afterAll(() => emu.stop());
  beforeEach(async () => {
    await fetch(`${url}/__control/reset`, { method: 'POST' });
  });

  const faults = (spec: Record<string, unknown>) => fetch(`${url}/__control/faults`, { method: 'POST', body: JSON.stringify(spec) });
  const ask = (content: string, extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) =>
    client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 200,
      system: 'You summarise CRM accounts.',
      messages: [{ role: 'user', content }],
      ...extra,
    });
  const caught = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as InstanceType<typeof Anthropic.APIError>,
    );

  it('answers a message with usage and stop_reason end_turn', async () => {
    const { data: msg, response } = await ask('Summarise Ada Lovelace at Northwind').withResponse();
    expect(msg.id).toMatch(/^msg_01[1-9A-HJ-NP-Za-km-z]{22}$/);
    expect(msg).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-haiku-4-5', stop_reason: 'end_turn', stop_sequence: null });
    const block = msg.content[0]!;
    expect(block.type).toBe('text');
    const text = (block as Anthropic.TextBlock).text;
    expect(text).toContain('Summarise Ada Lovelace at Northwind');
    expect(msg.usage.output_tokens).toBe(Math.ceil(text.length / 4));
    expect(msg.usage.input_tokens).toBeGreaterThan(10);
    expect(msg.usage.cache_read_input_tokens).toBe(0);
    expect(msg.usage.cache_creation_input_tokens).toBe(0);
    expect(response.headers.get('request-id')).toMatch(/^req_01/);
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('3999');
  });

  it('is deterministic per model and prompt', async () => {
    const text = async (p: Promise<Anthropic.Message>) => ((await p).content[0] as Anthropic.TextBlock).text;
    const a = await text(ask('What changed for Globex?'));
    expect(await text(ask('What changed for Globex?'))).toBe(a);
    expect(await text(ask('What changed for Hooli?'))).not.toBe(a);
    expect(await text(ask('What changed for Globex?', { model: 'claude-small-test' }))).not.toBe(a);
  });

  it('stops at max_tokens and at a stop sequence', async () => {
    const cut = await ask('Write a long account summary', { max_tokens: 5 });
    expect(cut.stop_reason).toBe('max_tokens');
    expect(cut.usage.output_tokens).toBe(5);
    expect((cut.content[0] as Anthropic.TextBlock).text.length).toBeLessThanOrEqual(20);
    const full = ((await ask('Stop early')).content[0] as Anthropic.TextBlock).text;
    const word = full.split(' ')[3]!;
    const stopped = await ask('Stop early', { stop_sequences: [word] });
    expect(stopped.stop_reason).toBe('stop_sequence');
    expect(stopped.stop_sequence).toBe(word);
    expect((stopped.content[0] as Anthropic.TextBlock).text).toBe(full.slice(0, full.indexOf(word)));
  });

  it('checks x-api-key and anthropic-version with Anthropic error bodies', async () => {
    const expired = new Anthropic({ apiKey: 'expired', baseURL: url, maxRetries: 0 });
    const err = await caught(expired.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }));
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err!.type).toBe('authentication_error');

    const body = JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    const noKey = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'anthropic-version': '2023-06-01' }, body });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } });
    const noVersion = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'demo' }, body });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
    const oldVersion = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'demo', 'anthropic-version': '2099-01-01' }, body });
    expect(oldVersion.status).toBe(400);
    const ok = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'demo', 'anthropic-version': '2023-06-01' }, body });
    expect(ok.status).toBe(200);
    const expiredHeader = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'expired', 'anthropic-version': '2023-06-01' }, body });
    expect(expiredHeader.status).toBe(401);
  });

  it('refuses bad requests with invalid_request_error naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, 'model: Field required'],
      [{ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] }, 'max_tokens: Field required'],
      [{ model: 'claude-haiku-4-5', max_tokens: 0, messages: [{ role: 'user', content: 'hi' }] }, 'max_tokens: Input should be greater than or equal to 1'],
      [{ model: 'claude-haiku-4-5', max_tokens: 10, messages: [] }, 'messages: at least one message is required'],
      [
        { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'robot', content: 'hi' }] },
        "messages.0.role: Input should be 'user', 'assistant' or 'system'",
      ],
      [
        { model: 'claude-haiku-4-5', max_tokens: 10, temperature: 1.5, messages: [{ role: 'user', content: 'hi' }] },
        'temperature: Input should be less than or equal to 1',
      ],
      [{ model: 'claude-haiku-4-5', max_tokens: 10, frequency: 1, messages: [{ role: 'user', content: 'hi' }] }, 'frequency: Extra inputs are not permitted'],
      [
        { model: 'claude-haiku-4-5', max_tokens: 99_999, messages: [{ role: 'user', content: 'hi' }] },
        'max_tokens: 99999 > 64000, which is the maximum allowed number of output tokens for claude-haiku-4-5',
      ],
    ];
    for (const [params, message] of cases) {
      // An explicit timeout keeps the SDK from refusing a large max_tokens without streaming.
      const err = await caught(client.messages.create(params as unknown as Anthropic.MessageCreateParamsNonStreaming, { timeout: 10_000 }));
      expect(err, message).toBeInstanceOf(Anthropic.BadRequestError);
      expect(err!.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message } });
    }
    const unknown = await caught(ask('hi', { model: 'claude-9' }));
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect(unknown!.type).toBe('not_found_error');
  });

  it("refuses a prompt beyond the model's context window, which a larger model accepts", async () => {
    const long = 'account history '.repeat(600);
    const err = await caught(ask(long, { model: 'claude-small-test', max_tokens: 10 }));
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err!.apiMessage).toMatch(/^prompt is too long: \d+ tokens > 2000 maximum$/);
    const withOutput = await caught(ask('account history '.repeat(450), { model: 'claude-small-test', max_tokens: 500 }));
    expect(withOutput!.apiMessage).toMatch(/^input length and `max_tokens` exceed context limit: \d+ \+ 500 > 2000/);
    expect((await ask(long, { max_tokens: 10 })).stop_reason).toBe('max_tokens');
  });

  it('bills prompt caching: a write first, then reads of the cached prefix', async () => {
    const policy = 'Account review policy. '.repeat(300); // ~1725 tokens, above the 1024-token minimum
    const params = (question: string): Anthropic.MessageCreateParamsNonStreaming => ({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      system: [{ type: 'text', text: policy, cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: question }],
    });
    const first = await client.messages.create(params('Summarise Globex'));
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(1024);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(first.usage.cache_creation?.ephemeral_5m_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    const second = await client.messages.create(params('Summarise Hooli'));
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBeLessThan(20);
    const total = (u: Anthropic.Usage) => u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
    expect(total(second.usage)).toBe(total(first.usage));
    const counted = await client.messages.countTokens({
      model: 'claude-haiku-4-5',
      system: params('Summarise Hooli').system,
      messages: params('Summarise Hooli').messages,
    });
    expect(counted.input_tokens).toBe(total(second.usage));
    // A prefix below the minimum is not cached.
    const short = await client.messages.create({ ...params('x'), system: [{ type: 'text', text: 'Short.', cache_control: { type: 'ephemeral' } }] });
    expect(short.usage.cache_creation_input_tokens).toBe(0);
  });

  it('streams the event sequence with usage and the same text as a whole reply', async () => {
    const whole = await ask('Stream the Initech summary');
    const stream = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 200,
      system: 'You summarise CRM accounts.',
      messages: [{ role: 'user', content: 'Stream the Initech summary' }],
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    let final: Anthropic.MessageDeltaUsage | undefined;
    let stop: string | null = null;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_delta') {
        final = event.usage;
        stop = event.delta.stop_reason;
      }
    }
    const deltas = types.filter((t) => t === 'content_block_delta').length;
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      ...Array(deltas).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(deltas).toBe(whole.usage.output_tokens);
    expect(text).toBe((whole.content[0] as Anthropic.TextBlock).text);
    expect(stop).toBe('end_turn');
    expect(final).toMatchObject({ output_tokens: whole.usage.output_tokens, input_tokens: whole.usage.input_tokens });

    // The SDK drops pings; the wire has one after the block starts.
    const raw = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'demo', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 3, messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = [...(await raw.text()).matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);

    const helper = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'Stream the Initech summary' }] });
    const message = await helper.finalMessage();
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(8);
    expect(emu.stats().streams).toMatchObject({ opened: 3, completed: 3, aborted: 0 });
  });

  it('sees a client that aborts mid-stream, and counts it', async () => {
    await faults({ tokenDelayMs: 100 }); // a stream of ~55 tokens then lasts ~5 s: time enough to leave it
    const ended = new Promise<StreamOutcome>((resolve) => emu.onStreamEnd(resolve));
    const helper = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 200, messages: [{ role: 'user', content: 'A long one please' }] });
    let received = 0;
    helper.on('text', () => {
      received += 1;
      if (received === 3) helper.abort();
    });
    const err = await helper.finalMessage().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Anthropic.APIUserAbortError);
    const outcome = await ended;
    console.log(`anthropic abort: ${outcome.tokensSent}/${outcome.tokensTotal} tokens sent, ${outcome.endedAt - outcome.startedAt} ms`);
    expect(outcome.end).toBe('aborted');
    expect(outcome.tokensSent).toBeGreaterThanOrEqual(3);
    expect(outcome.tokensSent).toBeLessThan(outcome.tokensTotal);
    const stats = (await (await fetch(`${url}/__control/stats`)).json()) as { streams: { aborted: number; completed: number } };
    expect(stats.streams).toMatchObject({ aborted: 1, completed: 0 });
  });

  it('maps injected 429, 529 and 500 to the SDK error classes', async () => {
    await faults({ status: 429, count: 1 });
    const limited = await caught(ask('hi'));
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(limited!.type).toBe('rate_limit_error');
    expect(limited!.headers?.get('retry-after')).toBe('1');
    await faults({ retryAfterSeconds: 7, count: 1 });
    expect((await caught(ask('hi')))!.headers?.get('retry-after')).toBe('7');
    await faults({ status: 529, count: 1 });
    const overloaded = await caught(ask('hi'));
    expect(overloaded).toBeInstanceOf(Anthropic.OverloadedError);
    expect(overloaded!.type).toBe('overloaded_error');
    await faults({ status: 500, count: 1 });
    const broken = await caught(ask('hi'));
    expect(broken).toBeInstanceOf(Anthropic.InternalServerError);
    expect(broken!.type).toBe('api_error');
    expect((await ask('hi')).stop_reason).toBe('end_turn');
  });

  it('drops connections, cuts streams half-way and drifts payloads when told to', async () => {
    await faults({ dropRate: 1, count: 1 });
    expect(await caught(ask('hi'))).toBeInstanceOf(Anthropic.APIConnectionError);

    await faults({ dropResponseRate: 1, count: 1 });
    const helper = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 40, messages: [{ role: 'user', content: 'hi' }] });
    expect(
      await helper.finalMessage().then(
        () => undefined,
        (e: unknown) => e,
      ),
    ).toBeInstanceOf(Error);
    expect(emu.stats().streams.dropped).toBe(1);

    await faults({ drift: true, count: 1 });
    const drifted = (await ask('hi')) as unknown as Record<string, unknown>;
    expect(drifted.content).toBeUndefined();
    expect(drifted.usage).toBeUndefined();
    expect(typeof drifted.completion).toBe('string');
  });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['claude-haiku-4-5', 'claude-small-test']);
    expect(await client.models.retrieve('claude-haiku-4-5')).toMatchObject({ type: 'model', id: 'claude-haiku-4-5' });
    expect(await caught(client.models.retrieve('nope'))).toBeInstanceOf(Anthropic.NotFoundError);
  });
});
