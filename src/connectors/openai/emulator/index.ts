// A local OpenAI-compatible API (models, chat completions whole and streamed, embeddings),
// faithful enough for the `openai` SDK.
import { randomBytes } from 'node:crypto';
import { Emulator, type EmuRequest, type EmuResponse, type Handler, type Route } from '../../../emulators/http.ts';
import { PrefixCache } from './cache.ts';
import { chatCompletionHandler } from './chat.ts';
import { embeddingsHandler } from './embeddings.ts';
import { errorBody, maskKey, openAiError } from './errors.ts';
import { DEFAULT_MODELS, EMBEDDING_MODELS, chatModels, modelObject, type EmbeddingModel, type OpenAiModel } from './models.ts';

export { DEFAULT_MODELS, EMBEDDING_MODELS, type EmbeddingModel, type OpenAiModel } from './models.ts';

export interface OpenAiEmulatorOptions {
  /** Chat models, by id or with their limits (context window, reasoning). */
  models?: Array<string | OpenAiModel>;
  /** Embedding models (served by /v1/embeddings, not listed by /v1/models). */
  embeddingModels?: EmbeddingModel[];
}
// Reported, not enforced: OpenAI's own limits only surface here through injected 429s.
const REQUEST_LIMIT = 10_000;
const TOKEN_LIMIT = 2_000_000;
const WINDOW_MS = 60_000;

function authFailure(req: EmuRequest): EmuResponse | undefined {
  const header = req.headers.authorization ?? '';
  const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!key) {
    return openAiError(401, {
      message:
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
    });
  }
  if (key === 'expired') {
    return openAiError(401, {
      message: `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      code: 'invalid_api_key',
    });
  }
  return undefined;
}

/** Moves the answer to `choices[].text` and drops `usage`, like a legacy-completions-shaped reply. */
function drift(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const b = { ...(body as Record<string, unknown>) };
  if (b.object === 'chat.completion' && Array.isArray(b.choices)) {
    b.choices = (b.choices as Array<Record<string, unknown>>).map(({ message, ...rest }) => ({
      ...rest,
      text: (message as { content?: unknown } | undefined)?.content ?? null,
    }));
    delete b.usage;
  } else if (b.object === 'chat.completion.chunk' && Array.isArray(b.choices)) {
    b.choices = (b.choices as Array<Record<string, unknown>>).map(({ delta, ...rest }) => ({
      ...rest,
      text: (delta as { content?: unknown } | undefined)?.content ?? null,
    }));
    delete b.usage;
  } else if (b.object === 'list' && Array.isArray(b.data)) {
    b.models = b.data;
    delete b.data;
  }
  return b;
}

export function createOpenAiEmulator(options: OpenAiEmulatorOptions = {}): Emulator {
  const models = chatModels(options.models ?? DEFAULT_MODELS);
  const embeddingModels = new Map((options.embeddingModels ?? EMBEDDING_MODELS).map((m) => [m.id, m]));
  const cache = new PrefixCache();
  const countTokens = (n: number): void => void tokens.push({ at: Date.now(), n });
  let requests: number[] = [];
  let tokens: Array<{ at: number; n: number }> = [];

  const prune = (now: number): void => {
    requests = requests.filter((t) => t > now - WINDOW_MS);
    tokens = tokens.filter((t) => t.at > now - WINDOW_MS);
  };
  const guard =
    (handler: Handler): Handler =>
    (req) =>
      authFailure(req) ?? handler(req);

  const plain: Route[] = [
    { method: 'GET', pattern: '/v1/models', handler: () => ({ status: 200, body: { object: 'list', data: [...models.keys()].map(modelObject) } }) },
    {
      method: 'GET',
      pattern: '/v1/models/:id',
      handler: (req) =>
        models.has(req.params.id!)
          ? { status: 200, body: modelObject(req.params.id!) }
          : openAiError(404, { message: `The model '${req.params.id}' does not exist`, param: 'model', code: 'model_not_found' }),
    },
    {
      method: 'POST',
      pattern: '/v1/chat/completions',
      handler: chatCompletionHandler(() => models, cache, countTokens),
    },
    { method: 'POST', pattern: '/v1/embeddings', handler: embeddingsHandler(embeddingModels, countTokens) },
  ];
  const routes = plain.map((r) => ({ ...r, handler: guard(r.handler) }));

  return new Emulator({
    name: 'openai',
    routes,
    errorBody,
    drift,
    commonHeaders: () => {
      const now = Date.now();
      prune(now);
      requests.push(now);
      const used = tokens.reduce((s, t) => s + t.n, 0);
      return {
        'x-request-id': `req_${randomBytes(16).toString('hex')}`,
        'openai-processing-ms': String(20 + (now % 180)),
        'openai-version': '2020-10-01',
        'openai-organization': 'org-emulator',
        'x-ratelimit-limit-requests': String(REQUEST_LIMIT),
        'x-ratelimit-remaining-requests': String(Math.max(0, REQUEST_LIMIT - requests.length)),
        'x-ratelimit-reset-requests': '6ms',
        'x-ratelimit-limit-tokens': String(TOKEN_LIMIT),
        'x-ratelimit-remaining-tokens': String(Math.max(0, TOKEN_LIMIT - used)),
        'x-ratelimit-reset-tokens': '0s',
      };
    },
    reset() {
      requests = [];
      tokens = [];
      cache.clear();
    },
  });
}
