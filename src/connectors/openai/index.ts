// The OpenAI module: an AI provider, OpenAI itself or any OpenAI-compatible server (vLLM, Ollama,
// LiteLLM, Azure's v1 endpoint); CONNECTOR_INSTANCES adds more of them side by side.
import { z } from 'zod';
import { optionalSecret, url } from '../../config/env.ts';
import { defineConnector } from '../module.ts';
import { credentialMode, DEFAULT_BREAKER } from '../settings.ts';
import { OpenAiConnector } from './client.ts';
import { createOpenAiEmulator } from './emulator/index.ts';

/** The key the emulator accepts; used only in demo mode. */
export const DEMO_API_KEY = 'demo-openai-key';

export interface OpenAiSettings {
  apiKey: string | undefined;
  baseUrl: string;
  embeddingModel: string;
}

export const openaiModule = defineConnector({
  name: 'openai',
  kind: 'ai',
  displayName: 'The AI provider',
  env: {
    OPENAI_API_KEY: optionalSecret,
    OPENAI_BASE_URL: url('OPENAI_BASE_URL').default('https://api.openai.com/v1'),
    // The model `embed` asks of this instance when AI_CONFIG names none (the built-in `embed` capability).
    OPENAI_EMBEDDING_MODEL: z.string().min(1).max(200).default('text-embedding-3-small'),
  },
  secrets: ['OPENAI_API_KEY'],
  envPrefix: 'OPENAI_',
  settings(env, ctx) {
    const apiKey = env[ctx.v('API_KEY')] as string | undefined;
    const mode = credentialMode(ctx, ctx.v('API_KEY'), apiKey);
    return {
      mode,
      settings: {
        apiKey: mode === 'live' ? apiKey : undefined,
        baseUrl: env[ctx.v('BASE_URL')] as string,
        embeddingModel: env[ctx.v('EMBEDDING_MODEL')] as string,
      },
    };
  },
  // Completions are slow and billed per call: long deadline, never cached, never retried.
  policy: () => ({
    timeoutMs: 60_000,
    maxAttempts: 1,
    backoffMs: 500,
    retryBudgetMs: 60_000,
    cacheTtlMs: 0,
    staleTtlMs: 0,
    cost: 1,
    quota: { points: 500, durationMs: 60_000 },
    quotaWaitMs: 5_000,
    bulkhead: { concurrency: 20, queue: 100 },
    breaker: DEFAULT_BREAKER,
  }),
  emulator: { port: 12131, create: () => createOpenAiEmulator(), sdkPath: '/v1' },
  create(s, mode, ctx) {
    const baseUrl = mode === 'demo' ? `${ctx.emulatorUrl!}/v1` : s.baseUrl;
    return [
      new OpenAiConnector({
        name: ctx.name,
        apiKey: s.apiKey ?? DEMO_API_KEY,
        baseUrl,
        mode,
        defaultModel: 'gpt-4o-mini',
        defaultEmbeddingModel: s.embeddingModel,
        pipeline: ctx.pipeline,
      }),
    ];
  },
});
