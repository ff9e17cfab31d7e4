// The HubSpot module: the CRM. Everything Switchyard knows about HubSpot is in this folder.
import { optionalSecret, url } from '../../config/env.ts';
import { defineConnector } from '../module.ts';
import { randomUUID } from 'node:crypto';
import { credentialMode, DEFAULT_BREAKER, signingSecrets } from '../settings.ts';
import { HubSpotCrmConnector } from './client.ts';
import { createHubspotEmulator, type RateLimitConfig } from './emulator/index.ts';
import { hubspotWebhooks } from './webhooks.ts';

/** The token the emulator accepts; used only in demo mode. */
export const DEMO_ACCESS_TOKEN = 'demo-hubspot-token';

export interface HubSpotSettings {
  accessToken: string | undefined;
  baseUrl: string;
  /** The app's client secret(s), which sign its webhooks (two during a rotation); in demo mode a generated one. */
  clientSecrets: string[];
}

export const hubspotModule = defineConnector({
  name: 'hubspot',
  kind: 'crm',
  displayName: 'HubSpot',
  env: {
    HUBSPOT_ACCESS_TOKEN: optionalSecret,
    HUBSPOT_API_BASE: url('HUBSPOT_API_BASE').default('https://api.hubapi.com'),
    HUBSPOT_CLIENT_SECRET: optionalSecret,
  },
  secrets: ['HUBSPOT_ACCESS_TOKEN', 'HUBSPOT_CLIENT_SECRET'],
  envPrefix: 'HUBSPOT_',
  settings(env, ctx) {
    const accessToken = env[ctx.v('ACCESS_TOKEN')] as string | undefined;
    const mode = credentialMode(ctx, ctx.v('ACCESS_TOKEN'), accessToken);
    const clientSecrets = signingSecrets(ctx.v('CLIENT_SECRET'), env[ctx.v('CLIENT_SECRET')], mode, () => randomUUID());
    return { mode, settings: { accessToken: mode === 'live' ? accessToken : undefined, baseUrl: env[ctx.v('API_BASE')] as string, clientSecrets } };
  },
  // 100 requests per 10 s for Free/Starter apps; Professional/Enterprise may raise it to 190.
  policy: () => ({
    timeoutMs: 8_000,
    maxAttempts: 6,
    backoffMs: 100,
    retryBudgetMs: 10_000,
    cacheTtlMs: 60_000,
    staleTtlMs: 600_000,
    cost: 1,
    quota: { points: 100, durationMs: 10_000 },
    quotaWaitMs: 3_000,
    bulkhead: { concurrency: 10, queue: 200 },
    breaker: DEFAULT_BREAKER,
  }),
  operations: {
    'contacts.create': { cacheTtlMs: 0 },
    'contacts.search': { cacheTtlMs: 0 },
    'contacts.update': { cacheTtlMs: 0 },
  },
  webhooks: hubspotWebhooks,
  emulator: {
    port: 12121,
    create: (customers, options) =>
      createHubspotEmulator({ customers, ...(options?.rateLimit !== undefined ? { rateLimit: options.rateLimit as RateLimitConfig | false } : {}) }),
  },
  create(s, mode, ctx) {
    const baseUrl = mode === 'demo' ? ctx.emulatorUrl! : s.baseUrl;
    return [new HubSpotCrmConnector({ name: ctx.name, accessToken: s.accessToken ?? DEMO_ACCESS_TOKEN, baseUrl, mode, pipeline: ctx.pipeline })];
  },
});
