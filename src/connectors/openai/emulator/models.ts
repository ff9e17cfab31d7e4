// The emulated models and the limits the API enforces per model: a context window (so a long
// prompt is refused by one model and taken by a larger one) and whether it reasons.
export interface OpenAiModel {
  id: string;
  /** Prompt plus completion tokens the model accepts. */
  contextWindow?: number;
  /** A reasoning model: reports reasoning_tokens, and takes max_completion_tokens only. */
  reasoning?: boolean;
}

export interface ChatModel {
  id: string;
  contextWindow: number;
  reasoning: boolean;
}

export interface EmbeddingModel {
  id: string;
  dimensions: number;
  /** text-embedding-3-* can shorten their vectors; ada-002 cannot. */
  shortenable: boolean;
  maxInputTokens: number;
}

export const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'llama-3.1-8b-instruct'];
// llama runs with an 8k window, as self-hosted servers (vLLM, Ollama) commonly configure it:
// demo mode then has a small-context model to fall back from.
const CONTEXT: Record<string, number> = { 'gpt-4o-mini': 128_000, 'gpt-4o': 128_000, 'llama-3.1-8b-instruct': 8_192 };

export const EMBEDDING_MODELS: EmbeddingModel[] = [
  { id: 'text-embedding-3-small', dimensions: 1536, shortenable: true, maxInputTokens: 8192 },
  { id: 'text-embedding-3-large', dimensions: 3072, shortenable: true, maxInputTokens: 8192 },
  { id: 'text-embedding-ada-002', dimensions: 1536, shortenable: false, maxInputTokens: 8192 },
];

// Fixed creation times so model listings are stable between runs.
const CREATED: Record<string, number> = { 'gpt-4o-mini': 1721172741, 'gpt-4o': 1715367049, 'llama-3.1-8b-instruct': 1721692800 };

export function chatModels(models: Array<string | OpenAiModel>): Map<string, ChatModel> {
  return new Map(
    models.map((m) => {
      const spec = typeof m === 'string' ? { id: m } : m;
      return [spec.id, { id: spec.id, contextWindow: spec.contextWindow ?? CONTEXT[spec.id] ?? 128_000, reasoning: spec.reasoning ?? false }];
    }),
  );
}

export function modelObject(id: string): Record<string, unknown> {
  return { id, object: 'model', created: CREATED[id] ?? 1700000000, owned_by: id.startsWith('llama') ? 'meta' : 'system' };
}
