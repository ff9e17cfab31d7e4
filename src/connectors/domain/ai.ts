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
  /** Asked instead, on the same provider, when the requested model is unavailable. */
  fallbackModel?: string | null;
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

export interface AiProvider extends ConnectorInfo {
  /** The model asked when a request names none. */
  readonly defaultModel: string;
  complete(request: CompletionRequest): Promise<CompletionRecord>;
}
