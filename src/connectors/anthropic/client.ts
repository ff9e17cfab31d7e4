// AiProvider on the official @anthropic-ai/sdk (the Messages API).
import type Anthropic from '@anthropic-ai/sdk';
import { loadAnthropicSdk } from './sdk.ts';
import type { ConnectorMode } from '../domain/info.ts';
import type { AiProvider, CompletionRecord, CompletionRequest, StreamChunk, TokenUsage } from '../domain/ai.ts';
import { ANTHROPIC_PRICES } from './prices.ts';
import type { Pipeline } from '../../pipeline/index.ts';
import { classifyAnthropicError } from './errors.ts';
import { MessageSchema, StreamEventSchema, messageText, tokenUsage, type Message } from './mapping.ts';
import { pipedStream } from '../streams.ts';
import { UpstreamError } from '../../errors/upstream.ts';

/** The Messages API requires max_tokens; this is asked when a request sets none. */
export const DEFAULT_MAX_TOKENS = 1_024;

export interface AnthropicConnectorOptions {
  name: string;
  apiKey: string;
  baseUrl: string;
  mode: ConnectorMode;
  defaultModel: string;
  pipeline: Pipeline;
  /** No stream event within this many ms: a timeout (default: the request's own timeout, else 30 s). */
  streamIdleMs?: number;
}

const STREAM_IDLE_MS = 30_000;

export class AnthropicConnector implements AiProvider {
  readonly name: string;
  readonly prices = ANTHROPIC_PRICES;
  readonly mode: ConnectorMode;
  readonly baseUrl: string;
  readonly defaultModel: string;
  private client: Promise<Anthropic> | undefined;
  private readonly apiKey: string;
  private readonly call: ReturnType<Pipeline['for']>;
  private readonly streamIdleMs: number;

  constructor(o: AnthropicConnectorOptions) {
    this.name = o.name;
    this.streamIdleMs = o.streamIdleMs ?? STREAM_IDLE_MS;
    this.mode = o.mode;
    this.baseUrl = o.baseUrl;
    this.defaultModel = o.defaultModel;
    this.apiKey = o.apiKey;
    this.call = o.pipeline.for(this.name, (err, operation) => classifyAnthropicError(err, operation, this.name));
  }

  /** The SDK client, made at the first call (see sdk.ts). */
  private sdk(): Promise<Anthropic> {
    // maxRetries 0: the pipeline is the one retry owner.
    return (this.client ??= loadAnthropicSdk().then((Sdk) => new Sdk({ apiKey: this.apiKey, baseURL: this.baseUrl, maxRetries: 0 })));
  }

  private params(request: CompletionRequest) {
    // The API takes the system prompt apart from the turns.
    const system = request.messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n\n');
    const turns = request.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
    return {
      model: request.model,
      max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
      messages: turns,
      ...(system ? { system } : {}),
      ...(request.temperature !== null ? { temperature: request.temperature } : {}),
    };
  }

  private create(request: CompletionRequest): Promise<Message> {
    // Billed per call, so never retried; another provider or model is the AI router's business (src/ai/).
    return this.call('messages.create', { idempotent: false, schema: MessageSchema }, async (signal) =>
      (await this.sdk()).messages.create(
        this.params(request),
        // The SDK's own deadline classifies as a timeout (APIConnectionTimeoutError).
        { signal, ...(request.timeoutMs ? { timeout: request.timeoutMs } : {}) },
      ),
    );
  }

  async complete(request: CompletionRequest): Promise<CompletionRecord> {
    const started = performance.now();
    const res = await this.create(request);
    return {
      id: res.id,
      text: messageText(res),
      model: res.model,
      provider: this.name,
      finishReason: res.stop_reason,
      usage: tokenUsage(res.usage),
      latencyMs: Math.round(performance.now() - started),
    };
  }

  stream(request: CompletionRequest, signal: AbortSignal): AsyncIterable<StreamChunk> {
    const operation = 'messages.stream';
    // message_start counts the prompt; message_delta's usage is cumulative, and may omit the input.
    let prompt: TokenUsage | undefined;
    return pipedStream({
      call: this.call,
      connector: this.name,
      operation,
      idleMs: request.timeoutMs ?? this.streamIdleMs,
      signal,
      open: async (s) => (await this.sdk()).messages.create({ ...this.params(request), stream: true }, { signal: s }),
      read: (raw): StreamChunk | null => {
        const e = StreamEventSchema.safeParse(raw);
        // An event type this version does not know (the API adds some) carries nothing we read.
        if (!e.success) {
          if (
            typeof (raw as { type?: unknown })?.type === 'string' &&
            !['message_start', 'content_block_delta', 'message_delta'].includes((raw as { type: string }).type)
          )
            return null;
          throw new UpstreamError({ connector: this.name, operation, kind: 'contract', message: `Unexpected stream event: ${e.error.message}` });
        }
        const ev = e.data;
        if (ev.type === 'message_start') {
          prompt = tokenUsage(ev.message.usage);
          return { id: ev.message.id, model: ev.message.model, usage: prompt };
        }
        if (ev.type === 'content_block_delta') return ev.delta.type === 'text_delta' && ev.delta.text ? { text: ev.delta.text } : null;
        if (ev.type === 'message_delta') {
          const u = ev.usage;
          const whole = tokenUsage({
            input_tokens: u.input_tokens ?? null,
            output_tokens: u.output_tokens,
            cache_read_input_tokens: u.cache_read_input_tokens ?? null,
            cache_creation_input_tokens: u.cache_creation_input_tokens ?? null,
          });
          const usage = u.input_tokens === null || u.input_tokens === undefined ? withPrompt(whole, prompt) : whole;
          return { finishReason: ev.delta.stop_reason ?? null, usage };
        }
        return null;
      },
      classify: (err) => classifyAnthropicError(err, operation, this.name),
    });
  }
}

/** A message_delta's usage that leaves out the input: the prompt's from message_start. */
function withPrompt(u: TokenUsage, prompt: TokenUsage | undefined): TokenUsage {
  if (!prompt) return u;
  return {
    ...u,
    promptTokens: prompt.promptTokens,
    cachedTokens: prompt.cachedTokens,
    cacheWriteTokens: prompt.cacheWriteTokens,
    totalTokens: prompt.promptTokens + u.completionTokens,
  };
}
