// The Anthropic module: an AI provider on the Messages API. Everything Switchyard knows about
// Anthropic is in this folder.
import { optionalSecret, url } from '../../config/env.ts';
import { defineConnector } from '../module.ts';
import { credentialMode, DEFAULT_BREAKER, optionalCredentialMode } from '../settings.ts';
import { AnthropicConnector } from './client.ts';
import { createAnthropicEmulator } from './emulator/index.ts';

/** The key the emulator accepts; used only in demo mode. */
export const DEMO_API_KEY = 'demo-anthropic-key';

export interface AnthropicSettings {
  apiKey: string | undefined;
  baseUrl: string;
}

export const anthropicModule = defineConnector({
  name: 'anthropic',
  kind: 'ai',
  displayName: 'The AI provider',
  env: {
    ANTHROPIC_API_KEY: optionalSecret,
    ANTHROPIC_BASE_URL: url('ANTHROPIC_BASE_URL').default('https://api.anthropic.com'),
  },
  secrets: ['ANTHROPIC_API_KEY'],
  envPrefix: 'ANTHROPIC_',
  // A second AI provider beside OpenAI: configured when its key is set (or everything is emulated).
  optional: true,
  settings(env, ctx) {
    const apiKey = env[ctx.v('API_KEY')] as string | undefined;
    // Its own instance is optional; one named in CONNECTOR_INSTANCES was asked for, so it needs its key.
    const mode = ctx.prefix === 'ANTHROPIC_' ? optionalCredentialMode(ctx, apiKey) : credentialMode(ctx, ctx.v('API_KEY'), apiKey);
    return { mode, settings: { apiKey: mode === 'live' ? apiKey : undefined, baseUrl: env[ctx.v('BASE_URL')] as string } };
  },
  // Like any completion: slow, billed per call, never cached or retried. Tier-1 limits are 50
  // requests a minute; higher tiers raise it (POLICY_FILE).
  policy: () => ({
    timeoutMs: 60_000,
    maxAttempts: 1,
    backoffMs: 500,
    retryBudgetMs: 60_000,
    cacheTtlMs: 0,
    staleTtlMs: 0,
    cost: 1,
    quota: { points: 50, durationMs: 60_000 },
    quotaWaitMs: 5_000,
    bulkhead: { concurrency: 20, queue: 100 },
    breaker: DEFAULT_BREAKER,
  }),
  emulator: { port: 12141, create: () => createAnthropicEmulator() },
  create(s, mode, ctx) {
    const baseUrl = mode === 'demo' ? ctx.emulatorUrl! : s.baseUrl;
    return [
      new AnthropicConnector({ name: ctx.name, apiKey: s.apiKey ?? DEMO_API_KEY, baseUrl, mode, defaultModel: 'claude-haiku-4-5', pipeline: ctx.pipeline }),
    ];
  },
});
