// The AI domain as the graph sees it: what an AI provider module implements.
import type { ConnectorInfo } from './info.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface CompletionRequest {
  messages: ChatMessage[];
  model: string;
  temperature: number | null;
  maxTokens: number | null;
  /** Deadline of this request, given to the SDK; unset: the provider's policy timeout alone. For a stream: to its first text, and between chunks. */
  timeoutMs?: number | null;
}

/**
 * Tokens of one call, as every provider's usage is normalised: prompt tokens include the ones read
 * from and written to the provider's prompt cache, completion tokens include the reasoning ones;
 * each subset is priced apart (ModelPrice).
 */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Of promptTokens: read from the provider's prompt cache. */
  cachedTokens: number;
  /** Of promptTokens: written to the provider's prompt cache (some providers bill them above input). */
  cacheWriteTokens: number;
  /** Of completionTokens: the model's hidden reasoning. */
  reasoningTokens: number;
}

export const NO_USAGE: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

export interface CompletionRecord {
  id: string;
  text: string;
  model: string;
  provider: string;
  finishReason: string | null;
  usage: TokenUsage;
  latencyMs: number;
}

/** One piece of a streamed completion: text, and whatever the provider has said so far of the answer. */
export interface StreamChunk {
  text?: string;
  id?: string;
  model?: string;
  finishReason?: string | null;
  /** The provider's usage so far: some send the prompt's at the start and the whole at the end, others only at the end. */
  usage?: TokenUsage;
}

export interface EmbeddingRequest {
  texts: string[];
  model: string;
  timeoutMs?: number | null;
}

export interface EmbeddingRecord {
  vectors: number[][];
  model: string;
  provider: string;
  usage: TokenUsage;
  latencyMs: number;
}

/** USD per million tokens. */
export interface ModelPrice {
  /** USD per 1M prompt tokens. */
  input: number;
  /** USD per 1M completion tokens. */
  output: number;
  /** USD per 1M prompt tokens read from the prompt cache; unset: input. */
  cachedInput?: number | undefined;
  /** USD per 1M prompt tokens written to the prompt cache; unset: input. */
  cacheWrite?: number | undefined;
  /** USD per 1M reasoning tokens; unset: output. */
  reasoning?: number | undefined;
}

export interface AiProvider extends ConnectorInfo {
  /** The provider's published prices of its common models (AI_PRICES overrides them). */
  readonly prices: Readonly<Record<string, ModelPrice>>;
  /** The model asked when a request names none. */
  readonly defaultModel: string;
  /** The embedding model asked when a request names none; unset: the provider has no embeddings API. */
  readonly defaultEmbeddingModel?: string | undefined;
  complete(request: CompletionRequest): Promise<CompletionRecord>;
  /**
   * The completion as it is written. The call (connection, breaker, quota, status) goes through the
   * pipeline before the first chunk; a failure there throws from the first `next()`. `signal`
   * aborts the upstream request mid-stream; ending the iteration early does too.
   */
  stream(request: CompletionRequest, signal: AbortSignal): AsyncIterable<StreamChunk>;
  embed?(request: EmbeddingRequest): Promise<EmbeddingRecord>;
}
