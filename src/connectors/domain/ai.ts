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
  /** Deadline of this request, given to the SDK; unset: the provider's policy timeout alone. */
  timeoutMs?: number | null;
}

export interface CompletionRecord {
  id: string;
  text: string;
  model: string;
  provider: string;
  finishReason: string | null;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
  latencyMs: number;
}

/** USD per million tokens. */
export interface ModelPrice {
  /** USD per 1M prompt tokens. */
  input: number;
  /** USD per 1M completion tokens. */
  output: number;
}

export interface AiProvider extends ConnectorInfo {
  /** The provider's published prices of its common models (AI_PRICES overrides them). */
  readonly prices: Readonly<Record<string, ModelPrice>>;
  /** The model asked when a request names none. */
  readonly defaultModel: string;
  complete(request: CompletionRequest): Promise<CompletionRecord>;
}
