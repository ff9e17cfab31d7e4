// Starts the provider emulators over one shared seed, so customer N is the same person
// in Stripe, HubSpot and the store's demo data, and the notification receiver beside them.
import path from 'node:path';
import { createAnthropicEmulator } from '../connectors/anthropic/emulator/index.ts';
import type { Emulator } from './http.ts';
import { createHubspotEmulator, type RateLimitConfig } from '../connectors/hubspot/emulator/index.ts';
import { createOpenAiEmulator } from '../connectors/openai/emulator/index.ts';
import { seedCustomers } from '../demo/seed.ts';
import { createStripeEmulator } from '../connectors/stripe/emulator/index.ts';
import { createNotifyEmulator } from '../connectors/notify/emulator/index.ts';

export { createAnthropicEmulator } from '../connectors/anthropic/emulator/index.ts';
export { Emulator } from './http.ts';
export { createHubspotEmulator } from '../connectors/hubspot/emulator/index.ts';
export { createOpenAiEmulator } from '../connectors/openai/emulator/index.ts';
export { createStripeEmulator } from '../connectors/stripe/emulator/index.ts';

export const DEFAULT_EMULATOR_PORTS = { stripe: 12111, hubspot: 12121, openai: 12131, anthropic: 12141 } as const;

export interface RunningEmulators {
  stripe: Emulator;
  hubspot: Emulator;
  openai: Emulator;
  anthropic: Emulator;
  /** Receives notifications (Slack-style and signed webhooks) in demo mode. */
  notify: Emulator;
  urls: { stripe: string; hubspot: string; openai: string; anthropic: string; notify: string };
  stop(): Promise<void>;
}

export interface StartEmulatorsOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  ports?: { stripe?: number; hubspot?: number; openai?: number; anthropic?: number; notify?: number };
  /** Number of seed customers (default 200). */
  customers?: number;
  hubspotRateLimit?: RateLimitConfig | false;
  /** Keeps each emulator's data in `<stateDir>/<name>.json` across restarts (demo mode). */
  stateDir?: string;
}

export async function startEmulators(options: StartEmulatorsOptions = {}): Promise<RunningEmulators> {
  const host = options.host ?? '127.0.0.1';
  const customers = seedCustomers(options.customers ?? 200);
  const stripe = createStripeEmulator({ customers });
  const hubspot = createHubspotEmulator({
    customers,
    ...(options.hubspotRateLimit !== undefined ? { rateLimit: options.hubspotRateLimit } : {}),
  });
  const openai = createOpenAiEmulator();
  const anthropic = createAnthropicEmulator();
  const notify = createNotifyEmulator();
  const all = [stripe, hubspot, openai, anthropic, notify];
  const stopAll = async (): Promise<void> => {
    await Promise.all(all.map((e) => e.stop()));
  };

  if (options.stateDir) for (const e of all) e.persistTo(path.join(options.stateDir, `${e.name}.json`));
  try {
    const [stripeUrl, hubspotUrl, openaiUrl, anthropicUrl, notifyUrl] = await Promise.all([
      stripe.start(options.ports?.stripe ?? 0, host),
      hubspot.start(options.ports?.hubspot ?? 0, host),
      openai.start(options.ports?.openai ?? 0, host),
      anthropic.start(options.ports?.anthropic ?? 0, host),
      notify.start(options.ports?.notify ?? 0, host),
    ]);
    return {
      stripe,
      hubspot,
      openai,
      anthropic,
      notify,
      urls: { stripe: stripeUrl, hubspot: hubspotUrl, openai: openaiUrl, anthropic: anthropicUrl, notify: notifyUrl },
      stop: stopAll,
    };
  } catch (err) {
    // One port was taken: release the others so a retry with new ports can succeed.
    await stopAll();
    throw err;
  }
}
