// The OpenAI emulator's /v1/embeddings driven by the real `openai` SDK (which asks for base64
// by default and decodes it, so both encodings are on the path).
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulators/http.ts';
import { createOpenAiEmulator } from '../../src/connectors/openai/emulator/index.ts';

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

describe('OpenAI emulator: embeddings with the openai SDK', () => {
  let emu: Emulator;
  let client: OpenAI;

  beforeAll(async () => {
    emu = createOpenAiEmulator();
    client = new OpenAI({ apiKey: 'demo', baseURL: `${await emu.start()}/v1`, maxRetries: 0 });
  });
  afterAll(() => emu.stop());
  const caught = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
    );

  it('returns deterministic unit vectors, close for texts that share words, with usage', async () => {
    const texts = ['Invoice overdue for Globex', 'Globex invoice is overdue', 'The weather in Lisbon is sunny'];
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: texts });
    expect(res.object).toBe('list');
    expect(res.model).toBe('text-embedding-3-small');
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    const [a, b, c] = res.data.map((d) => d.embedding);
    expect(a).toHaveLength(1536);
    for (const v of [a!, b!, c!]) expect(norm(v)).toBeCloseTo(1, 5);
    expect(dot(a!, b!)).toBeGreaterThan(0.6); // three of four words shared: about 0.75
    expect(Math.abs(dot(a!, c!))).toBeLessThan(0.3);
    expect(res.usage).toEqual({ prompt_tokens: texts.reduce((s, t) => s + Math.ceil(t.length / 4), 0), total_tokens: res.usage.prompt_tokens });

    const again = await client.embeddings.create({ model: 'text-embedding-3-small', input: texts[0]!, encoding_format: 'float' });
    // The SDK's default (base64 on the wire) and explicit floats decode to the same numbers.
    expect(again.data[0]!.embedding).toEqual(a);
  });

  it('honours dimensions: the shortened vector is the renormalised prefix', async () => {
    const full = (await client.embeddings.create({ model: 'text-embedding-3-large', input: 'Renewal call with Hooli' })).data[0]!.embedding;
    expect(full).toHaveLength(3072);
    const short = (await client.embeddings.create({ model: 'text-embedding-3-large', input: 'Renewal call with Hooli', dimensions: 256 })).data[0]!.embedding;
    expect(short).toHaveLength(256);
    expect(norm(short)).toBeCloseTo(1, 5);
    const prefix = full.slice(0, 256);
    const scaled = prefix.map((x) => x / norm(prefix));
    short.forEach((x, i) => expect(x).toBeCloseTo(scaled[i]!, 5));
    const related = (await client.embeddings.create({ model: 'text-embedding-3-large', input: 'Hooli renewal call', dimensions: 256 })).data[0]!.embedding;
    expect(dot(short, related)).toBeGreaterThan(0.6);
  });

  it('refuses bad input with BadRequestError', async () => {
    const ada = await caught(client.embeddings.create({ model: 'text-embedding-ada-002', input: 'x', dimensions: 64 }));
    expect(ada).toBeInstanceOf(OpenAI.BadRequestError);
    expect(ada!.message).toMatch(/does not support specifying dimensions/);
    const big = await caught(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x', dimensions: 4000 }));
    expect(big!.code).toBe('integer_above_max_value');
    const empty = await caught(client.embeddings.create({ model: 'text-embedding-3-small', input: '' }));
    expect(empty).toBeInstanceOf(OpenAI.BadRequestError);
    const tooLong = await caught(client.embeddings.create({ model: 'text-embedding-3-small', input: 'word '.repeat(7000) }));
    expect(tooLong!.message).toMatch(/maximum context length is 8192 tokens/);
    const unknown = await caught(client.embeddings.create({ model: 'gpt-4o-mini', input: 'x' }));
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    const tokens = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: [
        [1, 2, 3],
        [4, 5],
      ],
    });
    expect(tokens.usage.prompt_tokens).toBe(5);
  });
});
