// POST /v1/embeddings: deterministic unit vectors from the text. Words are hashed into bands
// of dimensions, coarse to fine, so texts sharing words are close, and a vector shortened with
// `dimensions` (truncate, renormalise, as text-embedding-3 does) keeps its meaning.
import { createHash } from 'node:crypto';
import type { EmuRequest, EmuResponse } from '../../../emulators/http.ts';
import { invalid, openAiError } from './errors.ts';
import type { EmbeddingModel } from './models.ts';
import { estimateTokens } from './text.ts';

const MAX_INPUTS = 2048;
const BANDS = [32, 128, 512, 1536, 3072];
const INVALID_INPUT = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";

function features(input: string | number[]): string[] {
  if (Array.isArray(input)) return input.map((t) => `#${t}`);
  return input
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

export function embed(input: string | number[], dimensions: number): Float32Array {
  const full = BANDS.at(-1)!;
  const v = new Float64Array(full);
  for (const word of features(input)) {
    const h = createHash('sha256').update(word).digest();
    let start = 0;
    BANDS.forEach((end, b) => {
      const at = start + (h.readUInt32LE(b * 4) % (end - start));
      v[at]! += (h[20 + b]! & 1 ? 1 : -1) / (b + 1);
      start = end;
    });
  }
  // A faint text-specific floor, so even a text of no words gets a unit vector of its own.
  const seed = createHash('sha256').update(JSON.stringify(input)).digest();
  for (let i = 0; i < full; i++) v[i]! += (((seed[i % 32]! ^ (i * 131)) % 255) - 127) / 127 / 1000;
  const out = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) out[i] = v[i]! / norm;
  return out;
}

function inputs(raw: unknown): Array<string | number[]> | undefined {
  const isTokens = (x: unknown): x is number[] => Array.isArray(x) && x.length > 0 && x.every((t) => Number.isInteger(t) && t >= 0);
  if (typeof raw === 'string') return raw ? [raw] : undefined;
  if (isTokens(raw)) return [raw];
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_INPUTS) return undefined;
  if (raw.every((x) => typeof x === 'string' && x.length > 0)) return raw as string[];
  if (raw.every(isTokens)) return raw as number[][];
  return undefined;
}

export function embeddingsHandler(models: Map<string, EmbeddingModel>, onUsage: (tokens: number) => void) {
  return (req: EmuRequest): EmuResponse => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.rawBody) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    } catch {
      return invalid('We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.', null, null);
    }
    if (typeof body.model !== 'string' || !body.model) return invalid('you must provide a model parameter', null, null);
    if (body.input === undefined) return invalid("'input' is a required property", null, null);
    const texts = inputs(body.input);
    if (!texts) return invalid(INVALID_INPUT, null, null);
    const format = body.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64') {
      return invalid(`Invalid value: '${String(format)}'. Supported values are: 'float' and 'base64'.`, 'encoding_format', 'invalid_value');
    }
    const model = models.get(body.model);
    if (!model) return openAiError(404, { message: `The model \`${body.model}\` does not exist or you do not have access to it.`, code: 'model_not_found' });
    let dimensions = model.dimensions;
    if (body.dimensions !== undefined && body.dimensions !== null) {
      if (!model.shortenable) return invalid('This model does not support specifying dimensions.', 'dimensions', null);
      const d = body.dimensions;
      if (typeof d !== 'number' || !Number.isInteger(d))
        return invalid(`Invalid type for 'dimensions': expected an integer, but got ${typeof d} instead.`, 'dimensions', 'invalid_type');
      if (d < 1)
        return invalid(
          `Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got ${d} instead.`,
          'dimensions',
          'integer_below_min_value',
        );
      if (d > model.dimensions)
        return invalid(
          `Invalid 'dimensions': integer above maximum value. Expected a value <= ${model.dimensions}, but got ${d} instead.`,
          'dimensions',
          'integer_above_max_value',
        );
      dimensions = d;
    }
    const counts = texts.map((t) => (Array.isArray(t) ? t.length : estimateTokens(t)));
    const longest = Math.max(...counts);
    if (longest > model.maxInputTokens) {
      // The API words this one as a completion-era limit, and gives it no code.
      return invalid(
        `This model's maximum context length is ${model.maxInputTokens} tokens, however you requested ${longest} tokens (${longest} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.`,
        null,
        null,
      );
    }
    const tokens = counts.reduce((a, b) => a + b, 0);
    onUsage(tokens);
    const data = texts.map((t, index) => {
      const v = embed(t, dimensions);
      return {
        object: 'embedding',
        index,
        embedding: format === 'base64' ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v),
      };
    });
    return { status: 200, body: { object: 'list', data, model: model.id, usage: { prompt_tokens: tokens, total_tokens: tokens } } };
  };
}
