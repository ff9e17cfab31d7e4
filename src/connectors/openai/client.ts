// AiProvider on the official `openai` SDK; baseURL makes it talk to any OpenAI-compatible server.
import OpenAI from 'openai';
import type { ConnectorMode } from '../domain/info.ts';
import type { AiProvider, CompletionRecord, CompletionRequest } from '../domain/ai.ts';
import { OPENAI_PRICES } from './prices.ts';
import type { Pipeline } from '../../pipeline/index.ts';
import { classifyOpenAiError } from './errors.ts';
import { ChatCompletionSchema, type ChatCompletion } from './mapping.ts';

export interface OpenAiConnectorOptions {
  /** The instance's name: its breaker, quota and cache namespace, and AiCompletion.provider. */
  name: string;
  apiKey: string;
  baseUrl: string;
  mode: ConnectorMode;
  defaultModel: string;
  pipeline: Pipeline;
}

export class OpenAiConnector implements AiProvider {
  readonly name: string;
  readonly prices = OPENAI_PRICES;
  readonly mode: ConnectorMode;
  readonly baseUrl: string;
  readonly defaultModel: string;
  private readonly client: OpenAI;
  private readonly call: ReturnType<Pipeline['for']>;

  constructor(options: OpenAiConnectorOptions) {
    this.name = options.name;
    this.mode = options.mode;
    this.baseUrl = options.baseUrl;
    this.defaultModel = options.defaultModel;
    // maxRetries 0: the pipeline is the one retry owner.
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 0 });
    this.call = options.pipeline.for(this.name, (err, operation) => classifyOpenAiError(err, operation, this.name));
  }

  private create(request: CompletionRequest): Promise<ChatCompletion> {
    // Not idempotent: a retried completion is billed again, so the pipeline does not retry it;
    // another provider or model is the AI router's business (src/ai/), not this connector's.
    return this.call('chat.completions.create', { idempotent: false, schema: ChatCompletionSchema }, (signal) =>
      this.client.chat.completions.create(
        {
          model: request.model,
          messages: request.messages,
          ...(request.temperature !== null ? { temperature: request.temperature } : {}),
          ...(request.maxTokens !== null ? { max_tokens: request.maxTokens } : {}),
        },
        // The SDK's own deadline classifies as a timeout (APIConnectionTimeoutError).
        { signal, ...(request.timeoutMs ? { timeout: request.timeoutMs } : {}) },
      ),
    );
  }

  async complete(request: CompletionRequest): Promise<CompletionRecord> {
    const started = performance.now();
    const res = await this.create(request);
    const choice = res.choices[0]!;
    const usage = { promptTokens: res.usage.prompt_tokens, completionTokens: res.usage.completion_tokens, totalTokens: res.usage.total_tokens };
    return {
      id: res.id,
      text: choice.message.content ?? '',
      model: res.model,
      provider: this.name,
      finishReason: choice.finish_reason,
      usage,
      latencyMs: Math.round(performance.now() - started),
    };
  }
}
