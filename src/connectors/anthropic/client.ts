// AiProvider on the official @anthropic-ai/sdk (the Messages API).
import Anthropic from '@anthropic-ai/sdk';
import type { ConnectorMode } from '../domain/info.ts';
import type { AiProvider, CompletionRecord, CompletionRequest } from '../domain/ai.ts';
import { ANTHROPIC_PRICES } from './prices.ts';
import type { Pipeline } from '../../pipeline/index.ts';
import { classifyAnthropicError } from './errors.ts';
import { MessageSchema, messageText, promptTokens, type Message } from './mapping.ts';

/** The Messages API requires max_tokens; this is asked when a request sets none. */
export const DEFAULT_MAX_TOKENS = 1_024;

export interface AnthropicConnectorOptions {
  name: string;
  apiKey: string;
  baseUrl: string;
  mode: ConnectorMode;
  defaultModel: string;
  pipeline: Pipeline;
}

export class AnthropicConnector implements AiProvider {
  readonly name: string;
  readonly prices = ANTHROPIC_PRICES;
  readonly mode: ConnectorMode;
  readonly baseUrl: string;
  readonly defaultModel: string;
  private readonly client: Anthropic;
  private readonly call: ReturnType<Pipeline['for']>;

  constructor(o: AnthropicConnectorOptions) {
    this.name = o.name;
    this.mode = o.mode;
    this.baseUrl = o.baseUrl;
    this.defaultModel = o.defaultModel;
    // maxRetries 0: the pipeline is the one retry owner.
    this.client = new Anthropic({ apiKey: o.apiKey, baseURL: o.baseUrl, maxRetries: 0 });
    this.call = o.pipeline.for(this.name, (err, operation) => classifyAnthropicError(err, operation, this.name));
  }

  private create(request: CompletionRequest): Promise<Message> {
    // Billed per call, so never retried; another provider or model is the AI router's business (src/ai/).
    // The API takes the system prompt apart from the turns.
    const system = request.messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n\n');
    const turns = request.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
    return this.call('messages.create', { idempotent: false, schema: MessageSchema }, (signal) =>
      this.client.messages.create(
        {
          model: request.model,
          max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
          messages: turns,
          ...(system ? { system } : {}),
          ...(request.temperature !== null ? { temperature: request.temperature } : {}),
        },
        // The SDK's own deadline classifies as a timeout (APIConnectionTimeoutError).
        { signal, ...(request.timeoutMs ? { timeout: request.timeoutMs } : {}) },
      ),
    );
  }

  async complete(request: CompletionRequest): Promise<CompletionRecord> {
    const started = performance.now();
    const res = await this.create(request);
    const prompt = promptTokens(res);
    return {
      id: res.id,
      text: messageText(res),
      model: res.model,
      provider: this.name,
      finishReason: res.stop_reason,
      usage: { promptTokens: prompt, completionTokens: res.usage.output_tokens, totalTokens: prompt + res.usage.output_tokens },
      latencyMs: Math.round(performance.now() - started),
    };
  }
}
