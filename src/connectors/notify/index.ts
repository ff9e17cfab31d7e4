// The notification connector, declared in one place: its kind, configuration, policy, error
// classifier, emulator and the transports it builds. The rest of Switchyard sees only Notifier.
import type { Pipeline } from '../../pipeline/index.ts';
import { SignedWebhookNotifier, SlackNotifier } from './client.ts';
import { NOTIFY_SECRET_VARIABLES, NotifyEnv, notifyConfig, type NotifyConfig } from './config.ts';
import { DEMO_PATHS, DEMO_WEBHOOK_SECRET, createNotifyEmulator } from './emulator/index.ts';
import { notifyErrorClassifier } from './errors.ts';
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
    ...(config.webhook ? [new SignedWebhookNotifier({ name: 'notify.webhook', mode: 'live', url: config.webhook.url, secret: config.webhook.secret, pipeline })] : []),
  ];
}

/** The module declaration the connector registry lists. */
export const notifyModule = {
  name: 'notify',
  kind: 'notify',
  /** Environment variables (zod), assembled by src/config.ts; the secrets among them may come from `<NAME>_FILE`. */
  env: NotifyEnv,
  secrets: NOTIFY_SECRET_VARIABLES,
  config: notifyConfig,
  /** Its defaults in the policy table (src/pipeline/policies.ts), shared by its instances. */
  policy: 'notify',
  classify: notifyErrorClassifier,
  emulator: createNotifyEmulator,
  create: createNotifiers,
} as const;
