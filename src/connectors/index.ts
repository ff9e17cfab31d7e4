// Builds the shared connectors once per process from Config. In demo mode a provider's base URL
// is its in-process emulator's, and the same SDK clients talk to it.
import type { Config } from '../config.ts';
import { Pipeline } from '../pipeline/index.ts';
import type { Store } from './store/index.ts';
import type { PaymentsConnector } from './payments/index.ts';
import type { CrmConnector } from './crm/index.ts';
import type { AiConnector } from './ai/index.ts';
import { StripePaymentsConnector } from './payments/stripe/client.ts';
import { HubSpotCrmConnector } from './crm/hubspot/client.ts';
import { OpenAiConnector } from './ai/openai/client.ts';

export interface Connectors {
  store: Store;
  payments: PaymentsConnector;
  crm: CrmConnector;
  ai: AiConnector;
  pipeline: Pipeline;
}

/** Credentials the emulators accept; used only in demo mode. */
export const DEMO_CREDENTIALS = { stripe: 'sk_test_switchyard_demo', hubspot: 'demo-hubspot-token', openai: 'demo-openai-key' } as const;

export interface EmulatorUrls {
  stripe: string;
  hubspot: string;
  openai: string;
}

export function createConnectors(config: Config, store: Store, emulators: EmulatorUrls | undefined): Connectors {
  const pipeline = new Pipeline({ timeoutMs: config.upstreamTimeoutMs });
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
    payments: new StripePaymentsConnector({ secretKey: stripe.secret, baseUrl: stripe.baseUrl, mode: config.stripe.mode, pipeline }),
    crm: new HubSpotCrmConnector({ accessToken: hubspot.secret, baseUrl: hubspot.baseUrl, mode: config.hubspot.mode, pipeline }),
    ai: new OpenAiConnector({
      apiKey: openai.secret,
      baseUrl: openai.baseUrl,
      mode: config.openai.mode,
      provider: config.openai.mode === 'demo' ? 'emulator' : config.openai.provider,
      defaultModel: config.openai.defaultModel,
      pipeline,
    }),
  };
}
