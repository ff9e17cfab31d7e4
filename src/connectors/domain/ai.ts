// The AI domain as the graph sees it; connectors/ai/openai implements it for OpenAI and every
// OpenAI-compatible server.
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

export interface AiConnector extends ConnectorInfo {
  readonly defaultModel: string;
  complete(request: CompletionRequest): Promise<CompletionRecord>;
}
