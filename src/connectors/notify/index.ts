// The notification connector, declared in one place: its kind, configuration, policy, error
// classifier, emulator and the transports it builds. The rest of Switchyard sees only Notifier.
import type { Pipeline } from '../../pipeline/index.ts';
import { SignedWebhookNotifier, SlackNotifier } from './client.ts';
import { NOTIFY_SECRET_VARIABLES, NotifyEnv, notifyConfig, type NotifyConfig } from './config.ts';
import { DEMO_PATHS, DEMO_WEBHOOK_SECRET, createNotifyEmulator } from './emulator/index.ts';
import { defineConnector } from '../module.ts';
import { DEFAULT_BREAKER } from '../settings.ts';
import type { Notifier } from '../domain/notify.ts';

export type { Notifier, NotifyMessage, Severity } from '../domain/notify.ts';
export type { NotifyConfig } from './config.ts';
export { NOTIFY_SECRET_VARIABLES, NotifyEnv, notifyConfig } from './config.ts';
export { createNotifyEmulator, type Delivery, type Refusal } from './emulator/index.ts';

/** Builds the configured transports; in demo mode both deliver to the notify emulator at `emulatorUrl`. */
export function createNotifiers(config: NotifyConfig, emulatorUrl: string | undefined, pipeline: Pipeline): Notifier[] {
  if (config.mode === 'off') return [];
  if (config.mode === 'demo') {
    if (!emulatorUrl) throw new Error('Demo mode needs the notify emulator to be running');
    return [
      new SlackNotifier({ name: 'notify.slack', mode: 'demo', url: `${emulatorUrl}${DEMO_PATHS.slack}`, pipeline }),
      new SignedWebhookNotifier({ name: 'notify.webhook', mode: 'demo', url: `${emulatorUrl}${DEMO_PATHS.webhook}`, secret: DEMO_WEBHOOK_SECRET, pipeline }),
    ];
  }
  return [
    ...(config.slack ? [new SlackNotifier({ name: 'notify.slack', mode: 'live', url: config.slack.url, pipeline })] : []),
    ...(config.webhook
      ? [new SignedWebhookNotifier({ name: 'notify.webhook', mode: 'live', url: config.webhook.url, secret: config.webhook.secret, pipeline })]
      : []),
  ];
}

/** The notification module: Slack and signed webhooks, the transports alerts and workflows use. */
export const notifyModule = defineConnector({
  name: 'notify',
  kind: 'notify',
  displayName: 'The notification service',
  vendorWords: ['Slack'],
  env: NotifyEnv,
  secrets: NOTIFY_SECRET_VARIABLES,
  settings(env, ctx) {
    const settings = notifyConfig({ ...(env as Parameters<typeof notifyConfig>[0]), DEMO: ctx.demo });
    return { mode: settings.mode, settings };
  },
  // Each transport (instance) delivers one message at a time off the request path, so it can
  // wait and retry longer than a request could. Slack allows about one message a second per
  // hook with short bursts: 60 a minute, waited for rather than refused. Only Switchyard itself
  // sends notifications (no principal asks for them), so the whole window is its own.
  policy: () => ({
    timeoutMs: 5_000,
    maxAttempts: 5,
    backoffMs: 500,
    retryBudgetMs: 30_000,
    cacheTtlMs: 0,
    staleTtlMs: 0,
    cost: 1,
    quota: { points: 60, durationMs: 60_000, principalShare: 1 },
    quotaWaitMs: 60_000,
    bulkhead: { concurrency: 1, queue: 1_000 },
    breaker: DEFAULT_BREAKER,
  }),
  // Not a fixed port: nothing outside Switchyard is pointed at it.
  emulator: { port: 0, create: () => createNotifyEmulator(), note: 'received: GET /__control/deliveries' },
  create: (settings, _mode, ctx) => createNotifiers(settings, ctx.emulatorUrl, ctx.pipeline),
});
