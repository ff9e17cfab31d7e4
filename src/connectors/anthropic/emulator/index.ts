// A local Anthropic Messages API, faithful enough for `@anthropic-ai/sdk`: messages (whole and
// streamed), token counting, models, Anthropic's error bodies and headers, and prompt caching.
import { randomUUID } from 'node:crypto';
import { Emulator, type EmuRequest, type EmuResponse, type Handler, type Route } from '../../../emulators/http.ts';
import { PromptCache } from './cache.ts';
import { anthropicError, anthropicId, errorBody, faultHeaders } from './errors.ts';
import { countTokensHandler, messagesHandler } from './messages.ts';
import { DEFAULT_ANTHROPIC_MODELS, modelRoutes, modelTable, type AnthropicModel } from './models.ts';

export { DEFAULT_ANTHROPIC_MODELS, type AnthropicModel } from './models.ts';

export interface AnthropicEmulatorOptions {
  models?: AnthropicModel[];
  /** The shortest prompt prefix the cache takes, in tokens (the API's minimum is 1024 for most models). */
  cacheMinTokens?: number;
}

/** Versions the API accepts; `2026-10-21` is what @anthropic-ai/sdk 1.x sends. */
export const ANTHROPIC_VERSIONS = ['2023-01-01', '2023-06-01', '2026-10-21'];
// Reported, not enforced: the API's own limits only surface here through injected 429s.
const REQUEST_LIMIT = 4_000;
const INPUT_TOKEN_LIMIT = 2_000_000;
const OUTPUT_TOKEN_LIMIT = 400_000;
const WINDOW_MS = 60_000;
const ORGANIZATION = randomUUID();

/**
 * The key comes as `x-api-key` (the API's documented header, what curl and older SDKs send) or as
 * `Authorization: Bearer` (what @anthropic-ai/sdk 1.x sends for an apiKey); the API takes both.
 */
function apiKey(req: EmuRequest): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

function refusal(req: EmuRequest): EmuResponse | undefined {
  const key = apiKey(req);
  if (!key) return anthropicError(401, 'authentication_error', 'x-api-key header is required');
  if (key === 'expired') return anthropicError(401, 'authentication_error', 'invalid x-api-key');
  const version = req.headers['anthropic-version'];
  if (typeof version !== 'string' || !version) return anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required');
  if (!ANTHROPIC_VERSIONS.includes(version)) return anthropicError(400, 'invalid_request_error', `anthropic-version: "${version}" is not a valid version`);
  return undefined;
}

/** A silent API change: the reply text moves to a legacy `completion` field and usage goes missing. */
function drift(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const b = { ...(body as Record<string, unknown>) };
  if (b.type === 'message') {
    const content = b.content as Array<{ text?: string }> | undefined;
    b.completion = (content ?? []).map((c) => c.text ?? '').join('');
    delete b.content;
    delete b.usage;
  } else if (b.type === 'message_start') {
    b.message = drift(b.message);
  } else if (b.type === 'content_block_delta') {
    b.delta = { type: 'completion_delta', completion: (b.delta as { text?: string }).text };
  } else if (b.type === 'message_delta') {
    delete b.usage;
  } else if (Array.isArray(b.data)) {
    b.models = b.data;
    delete b.data;
  }
  return b;
}

export function createAnthropicEmulator(options: AnthropicEmulatorOptions = {}): Emulator {
  const models = modelTable(options.models ?? DEFAULT_ANTHROPIC_MODELS);
  const cache = new PromptCache(options.cacheMinTokens ?? 1024);
  let requests: number[] = [];
  let tokens: Array<{ at: number; input: number; output: number }> = [];
  const guard =
    (handler: Handler): Handler =>
    (req) =>
      refusal(req) ?? handler(req);
  const listing = modelRoutes(models);

  const plain: Route[] = [
    { method: 'POST', pattern: '/v1/messages', handler: messagesHandler(models, cache, (input, output) => tokens.push({ at: Date.now(), input, output })) },
    { method: 'POST', pattern: '/v1/messages/count_tokens', handler: countTokensHandler(models) },
    { method: 'GET', pattern: '/v1/models', handler: listing.list },
    { method: 'GET', pattern: '/v1/models/:id', handler: listing.one },
  ];

  return new Emulator({
    name: 'anthropic',
    routes: plain.map((r) => ({ ...r, handler: guard(r.handler) })),
    errorBody,
    faultHeaders,
    drift,
    commonHeaders: () => {
      const now = Date.now();
      requests = requests.filter((t) => t > now - WINDOW_MS);
      tokens = tokens.filter((t) => t.at > now - WINDOW_MS);
      requests.push(now);
      const reset = new Date(Math.ceil(now / WINDOW_MS) * WINDOW_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const input = tokens.reduce((s, t) => s + t.input, 0);
      const output = tokens.reduce((s, t) => s + t.output, 0);
      return {
        'request-id': anthropicId('req', 21),
        'anthropic-organization-id': ORGANIZATION,
        'anthropic-ratelimit-requests-limit': String(REQUEST_LIMIT),
        'anthropic-ratelimit-requests-remaining': String(Math.max(0, REQUEST_LIMIT - requests.length)),
        'anthropic-ratelimit-requests-reset': reset,
        'anthropic-ratelimit-input-tokens-limit': String(INPUT_TOKEN_LIMIT),
        'anthropic-ratelimit-input-tokens-remaining': String(Math.max(0, INPUT_TOKEN_LIMIT - input)),
        'anthropic-ratelimit-input-tokens-reset': reset,
        'anthropic-ratelimit-output-tokens-limit': String(OUTPUT_TOKEN_LIMIT),
        'anthropic-ratelimit-output-tokens-remaining': String(Math.max(0, OUTPUT_TOKEN_LIMIT - output)),
        'anthropic-ratelimit-output-tokens-reset': reset,
      };
    },
    reset() {
      requests = [];
      tokens = [];
      cache.clear();
    },
  });
}
