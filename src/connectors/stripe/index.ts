// The Stripe module: payments. Everything Switchyard knows about Stripe is in this folder.
import { optionalSecret, url } from '../../config/env.ts';
import type { CallPolicy } from '../../pipeline/policies.ts';
import { defineConnector } from '../module.ts';
import { randomBytes } from 'node:crypto';
import { credentialMode, DEFAULT_BREAKER, signingSecrets } from '../settings.ts';
import { StripePaymentsConnector } from './client.ts';
import { createStripeEmulator } from './emulator/index.ts';
import { stripeWebhooks } from './webhooks.ts';

/** The key the emulator accepts; used only in demo mode. */
export const DEMO_SECRET_KEY = 'sk_test_switchyard_demo';

export interface StripeSettings {
  secretKey: string | undefined;
  baseUrl: string;
  /** Signing secrets of its webhook endpoint (two during a rotation); in demo mode a generated one. */
  webhookSecrets: string[];
}

/** 100 read/write requests per second in live mode, 25 in test mode (docs.stripe.com/rate-limits). */
export function stripeQuota(secretKey: string | undefined): CallPolicy['quota'] {
  return { points: secretKey?.startsWith('sk_live_') || secretKey?.startsWith('rk_live_') ? 100 : 25, durationMs: 1_000 };
}

export const stripeModule = defineConnector({
  name: 'stripe',
  kind: 'payments',
  displayName: 'Stripe',
  env: {
    STRIPE_SECRET_KEY: optionalSecret,
    STRIPE_API_BASE: url('STRIPE_API_BASE').default('https://api.stripe.com'),
    STRIPE_WEBHOOK_SECRET: optionalSecret,
  },
  secrets: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
  envPrefix: 'STRIPE_',
  settings(env, ctx) {
    const secretKey = env[ctx.v('SECRET_KEY')] as string | undefined;
    const mode = credentialMode(ctx, ctx.v('SECRET_KEY'), secretKey);
    const webhookSecrets = signingSecrets(ctx.v('WEBHOOK_SECRET'), env[ctx.v('WEBHOOK_SECRET')], mode, () => `whsec_${randomBytes(24).toString('base64')}`);
    return { mode, settings: { secretKey: mode === 'live' ? secretKey : undefined, baseUrl: env[ctx.v('API_BASE')] as string, webhookSecrets } };
  },
  policy: (s: StripeSettings) => ({
    timeoutMs: 8_000,
    maxAttempts: 6,
    backoffMs: 50,
    retryBudgetMs: 10_000,
    cacheTtlMs: 30_000,
    staleTtlMs: 600_000,
    cost: 1,
    quota: stripeQuota(s.secretKey ?? DEMO_SECRET_KEY),
    quotaWaitMs: 2_000,
    bulkhead: { concurrency: 25, queue: 200 },
    breaker: DEFAULT_BREAKER,
  }),
  operations: {
    // Writes answer slower than reads; their retries are safe because each carries an idempotency key.
    'paymentIntents.create': { timeoutMs: 15_000, cacheTtlMs: 0 },
    'refunds.create': { timeoutMs: 15_000, cacheTtlMs: 0 },
    'customers.create': { cacheTtlMs: 0 },
    'customers.del': { cacheTtlMs: 0 },
    'customers.update': { cacheTtlMs: 0 },
    // Read to find a customer before creating one: a cached answer could miss one made a moment ago.
    'customers.list': { cacheTtlMs: 0 },
    // Search results lag writes anyway (see batch.ts); keep them briefly.
    'paymentIntents.search': { cacheTtlMs: 15_000 },
  },
  webhooks: stripeWebhooks,
  emulator: { port: 12111, create: (customers, options) => createStripeEmulator({ ...options, customers }) },
  create(s, mode, ctx) {
    const baseUrl = mode === 'demo' ? ctx.emulatorUrl! : s.baseUrl;
    return [new StripePaymentsConnector({ name: ctx.name, secretKey: s.secretKey ?? DEMO_SECRET_KEY, baseUrl, mode, pipeline: ctx.pipeline })];
  },
});
