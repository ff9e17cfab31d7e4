// AiProvider on the official `openai` SDK; baseURL makes it talk to any OpenAI-compatible server.
import type OpenAI from 'openai';
import { loadOpenAiSdk } from './sdk.ts';
import type { ConnectorMode } from '../domain/info.ts';
import type { AiProvider, CompletionRecord, CompletionRequest, EmbeddingRecord, EmbeddingRequest, StreamChunk } from '../domain/ai.ts';
import { OPENAI_PRICES } from './prices.ts';
import type { Pipeline } from '../../pipeline/index.ts';
import { pipedStream } from '../streams.ts';
import { UpstreamError } from '../../errors/upstream.ts';
import { classifyOpenAiError } from './errors.ts';
import { ChatChunkSchema, ChatCompletionSchema, EmbeddingsSchema, tokenUsage, type ChatCompletion } from './mapping.ts';

export interface OpenAiConnectorOptions {
  /** The instance's name: its breaker, quota and cache namespace, and AiCompletion.provider. */
  name: string;
  apiKey: string;
  baseUrl: string;
  mode: ConnectorMode;
  defaultModel: string;
  /** Unset: the server has no embeddings endpoint worth asking by default. */
  defaultEmbeddingModel?: string | undefined;
  pipeline: Pipeline;
  /** No stream chunk within this many ms: a timeout (default: the request's own timeout, else 30 s). */
  streamIdleMs?: number;
}

const STREAM_IDLE_MS = 30_000;

export class OpenAiConnector implements AiProvider {
  readonly name: string;
  readonly prices = OPENAI_PRICES;
  readonly mode: ConnectorMode;
  readonly baseUrl: string;
  readonly defaultModel: string;
  readonly defaultEmbeddingModel: string | undefined;
  private client: Promise<OpenAI> | undefined;
  private readonly apiKey: string;
  private readonly call: ReturnType<Pipeline['for']>;
  private readonly streamIdleMs: number;

  constructor(options: OpenAiConnectorOptions) {
    this.name = options.name;
    this.mode = options.mode;
    this.baseUrl = options.baseUrl;
    this.defaultModel = options.defaultModel;
    this.defaultEmbeddingModel = options.defaultEmbeddingModel;
    this.streamIdleMs = options.streamIdleMs ?? STREAM_IDLE_MS;
    this.apiKey = options.apiKey;
    this.call = options.pipeline.for(this.name, (err, operation) => classifyOpenAiError(err, operation, this.name));
  }

  /** The SDK client, made at the first call (see sdk.ts). */
  private sdk(): Promise<OpenAI> {
    // maxRetries 0: the pipeline is the one retry owner.
    return (this.client ??= loadOpenAiSdk().then((Sdk) => new Sdk({ apiKey: this.apiKey, baseURL: this.baseUrl, maxRetries: 0 })));
  }

  private params(request: CompletionRequest) {
    return {
      model: request.model,
      messages: request.messages,
      ...(request.temperature !== null ? { temperature: request.temperature } : {}),
      ...(request.maxTokens !== null ? { max_tokens: request.maxTokens } : {}),
    };
  }

  private create(request: CompletionRequest): Promise<ChatCompletion> {
    // Not idempotent: a retried completion is billed again, so the pipeline does not retry it;
    // another provider or model is the AI router's business (src/ai/), not this connector's.
    return this.call('chat.completions.create', { idempotent: false, schema: ChatCompletionSchema }, async (signal) =>
      (await this.sdk()).chat.completions.create(
        this.params(request),
        // The SDK's own deadline classifies as a timeout (APIConnectionTimeoutError).
        { signal, ...(request.timeoutMs ? { timeout: request.timeoutMs } : {}) },
      ),
    );
  }

  async complete(request: CompletionRequest): Promise<CompletionRecord> {
    const started = performance.now();
    const res = await this.create(request);
    const choice = res.choices[0]!;
    return {
      id: res.id,
      text: choice.message.content ?? '',
      model: res.model,
      provider: this.name,
      finishReason: choice.finish_reason,
      usage: tokenUsage(res.usage),
      latencyMs: Math.round(performance.now() - started),
    };
  }

  stream(request: CompletionRequest, signal: AbortSignal): AsyncIterable<StreamChunk> {
    const operation = 'chat.completions.stream';
    return pipedStream({
      call: this.call,
      connector: this.name,
      operation,
      idleMs: request.timeoutMs ?? this.streamIdleMs,
      signal,
      // include_usage: the last chunk carries the call's usage (without it a stream reports none).
      open: async (s) =>
        (await this.sdk()).chat.completions.create({ ...this.params(request), stream: true, stream_options: { include_usage: true } }, { signal: s }),
      read: (raw) => {
        const c = ChatChunkSchema.safeParse(raw);
        if (!c.success) throw new UpstreamError({ connector: this.name, operation, kind: 'contract', message: `Unexpected stream chunk: ${c.error.message}` });
        const choice = c.data.choices[0];
        return {
          id: c.data.id,
          model: c.data.model,
          ...(choice?.delta?.content ? { text: choice.delta.content } : {}),
          ...(choice?.finish_reason ? { finishReason: choice.finish_reason } : {}),
          ...(c.data.usage ? { usage: tokenUsage(c.data.usage) } : {}),
        };
      },
      classify: (err) => classifyOpenAiError(err, operation, this.name),
    });
  }

  async embed(request: EmbeddingRequest): Promise<EmbeddingRecord> {
    const started = performance.now();
    // Idempotent: the same texts give the same vectors, so a retry only costs its tokens again.
    const res = await this.call('embeddings.create', { idempotent: true, schema: EmbeddingsSchema }, async (signal) =>
      (await this.sdk()).embeddings.create(
        { model: request.model, input: request.texts, encoding_format: 'float' },
        { signal, ...(request.timeoutMs ? { timeout: request.timeoutMs } : {}) },
      ),
    );
    const vectors = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
    const prompt = res.usage.prompt_tokens;
    return {
      vectors,
      model: res.model,
      provider: this.name,
      usage: { promptTokens: prompt, completionTokens: 0, totalTokens: res.usage.total_tokens, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      latencyMs: Math.round(performance.now() - started),
    };
  }
}
