// Builds the shared connectors once per process from Config. In demo mode a provider's base URL
// is its in-process emulator's, and the same SDK clients talk to it.
import type { Config } from '../config.ts';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Pipeline } from '../pipeline/index.ts';
import { PolicyTable, loadPolicyFile } from '../pipeline/policies.ts';
import type { CacheStore } from '../pipeline/cache/index.ts';
import { MemoryCacheStore } from '../pipeline/cache/memory.ts';
import { RedisCacheStore } from '../pipeline/cache/redis.ts';
import type { Store } from './store/index.ts';
import type { PaymentsConnector } from './domain/payments.ts';
import type { CrmConnector } from './domain/crm.ts';
import type { AiConnector } from './domain/ai.ts';
import { StripePaymentsConnector } from './stripe/client.ts';
import { HubSpotCrmConnector } from './hubspot/client.ts';
import { OpenAiConnector } from './openai/client.ts';
import { createNotifiers, type Notifier } from './notify/index.ts';

export interface Connectors {
  store: Store;
  payments: PaymentsConnector;
  crm: CrmConnector;
  ai: AiConnector;
  /** The notification transports configured (none: nothing is sent). */
  notifiers: Notifier[];
  pipeline: Pipeline;
  /** Shared state across replicas, when REDIS_URL is set. */
  redis: Redis | undefined;
}

/** Credentials the emulators accept; used only in demo mode. */
export const DEMO_CREDENTIALS = { stripe: 'sk_test_switchyard_demo', hubspot: 'demo-hubspot-token', openai: 'demo-openai-key' } as const;

export interface EmulatorUrls {
  stripe: string;
  hubspot: string;
  openai: string;
  notify: string;
}

export interface SharedInfra {
  logger: Logger;
  /** Present when REDIS_URL is set: caches, limits and quotas then hold across replicas. */
  redis?: Redis;
}

export function createCacheStore(config: Config, redis: Redis | undefined): CacheStore {
  return redis ? new RedisCacheStore(redis) : new MemoryCacheStore(config.cacheMaxEntries);
}

export function createConnectors(config: Config, store: Store, emulators: EmulatorUrls | undefined, infra: SharedInfra): Connectors {
  const stripeKey = config.stripe.mode === 'live' ? config.stripe.secret : DEMO_CREDENTIALS.stripe;
  const policies = new PolicyTable(config.policyFile ? loadPolicyFile(config.policyFile) : {}, stripeKey);
  const pipeline = new Pipeline({
    policies,
    cache: createCacheStore(config, infra.redis),
    redis: infra.redis,
    logger: infra.logger,
    principalShare: config.outbound.principalShare,
  });
  const endpoint = (p: Config['stripe'], demoUrl: string | undefined, demoSecret: string) => {
    if (p.mode === 'live') return { secret: p.secret!, baseUrl: p.baseUrl };
    if (!demoUrl) throw new Error('Demo mode needs the emulators to be running');
    return { secret: demoSecret, baseUrl: demoUrl };
  };
  const stripe = endpoint(config.stripe, emulators?.stripe, DEMO_CREDENTIALS.stripe);
  const hubspot = endpoint(config.hubspot, emulators?.hubspot, DEMO_CREDENTIALS.hubspot);
  const openai = endpoint(config.openai, emulators && `${emulators.openai}/v1`, DEMO_CREDENTIALS.openai);
  return {
    store,
    pipeline,
    redis: infra.redis,
    notifiers: createNotifiers(config.notify, emulators?.notify, pipeline),
    payments: new StripePaymentsConnector({ secretKey: stripe.secret, baseUrl: stripe.baseUrl, mode: config.stripe.mode, pipeline }),
    crm: new HubSpotCrmConnector({ accessToken: hubspot.secret, baseUrl: hubspot.baseUrl, mode: config.hubspot.mode, pipeline }),
    ai: new OpenAiConnector({
      apiKey: openai.secret,
      baseUrl: openai.baseUrl,
      mode: config.openai.mode,
      provider: config.openai.mode === 'demo' ? 'emulator' : config.openai.provider,
      defaultModel: config.openai.defaultModel,
      fallbackModel: config.openai.fallbackModel,
      pipeline,
    }),
  };
}
