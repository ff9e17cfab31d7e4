// The notification connector's configuration: which transports are on and their secrets.
// src/config.ts assembles this schema with the others and stays the only reader of the
// environment; every variable here is in README's configuration table.
import { z } from 'zod';
import { invalid, url } from '../../config/env.ts';

/** Secrets: may come from `<NAME>_FILE`, never echoed in a configuration error. */
export const NOTIFY_SECRET_VARIABLES = ['NOTIFY_SLACK_WEBHOOK_URL', 'ALERT_WEBHOOK_URL', 'NOTIFY_WEBHOOK_URL', 'NOTIFY_WEBHOOK_SECRET'] as const;

// Standard Webhooks secrets are `whsec_` and the base64 of 24 to 64 random bytes.
const whsec = z
  .string()
  .trim()
  .refine((v) => {
    const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(v);
    if (!m) return false;
    const bytes = Buffer.from(m[1]!, 'base64');
    return bytes.length >= 24 && bytes.length <= 64 && bytes.toString('base64') === m[1];
  }, 'NOTIFY_WEBHOOK_SECRET must be whsec_ followed by the base64 of 24 to 64 random bytes (e.g. whsec_$(openssl rand -base64 32))')
  .optional();

export const NotifyEnv = {
  NOTIFY_SLACK_WEBHOOK_URL: url('NOTIFY_SLACK_WEBHOOK_URL').optional(),
  /** The Slack transport's older name, from before the notification connector. */
  ALERT_WEBHOOK_URL: url('ALERT_WEBHOOK_URL').optional(),
  NOTIFY_WEBHOOK_URL: url('NOTIFY_WEBHOOK_URL').optional(),
  NOTIFY_WEBHOOK_SECRET: whsec,
};

type NotifyEnvValues = z.infer<z.ZodObject<typeof NotifyEnv>> & { DEMO: 'auto' | 'true' | 'false' };

export interface NotifyConfig {
  /** live: the configured transports; demo: the notify emulator receives both kinds; off: nothing is sent. */
  mode: 'live' | 'demo' | 'off';
  slack: { url: string } | undefined;
  webhook: { url: string; secret: string } | undefined;
}

export function notifyConfig(e: NotifyEnvValues): NotifyConfig {
  if (e.NOTIFY_SLACK_WEBHOOK_URL && e.ALERT_WEBHOOK_URL) {
    throw invalid('ALERT_WEBHOOK_URL', 'is the older name of NOTIFY_SLACK_WEBHOOK_URL: set one of them, not both');
  }
  if (e.NOTIFY_WEBHOOK_URL && !e.NOTIFY_WEBHOOK_SECRET)
    throw invalid('NOTIFY_WEBHOOK_SECRET', 'is required with NOTIFY_WEBHOOK_URL (every delivery is signed)');
  if (e.NOTIFY_WEBHOOK_SECRET && !e.NOTIFY_WEBHOOK_URL) throw invalid('NOTIFY_WEBHOOK_SECRET', 'has no effect without NOTIFY_WEBHOOK_URL');
  // Like every provider: DEMO=true emulates it even when it is configured.
  if (e.DEMO === 'true') return { mode: 'demo', slack: undefined, webhook: undefined };
  const slackUrl = e.NOTIFY_SLACK_WEBHOOK_URL ?? e.ALERT_WEBHOOK_URL;
  const slack = slackUrl ? { url: slackUrl } : undefined;
  const webhook = e.NOTIFY_WEBHOOK_URL ? { url: e.NOTIFY_WEBHOOK_URL, secret: e.NOTIFY_WEBHOOK_SECRET! } : undefined;
  return { mode: slack || webhook ? 'live' : 'off', slack, webhook };
}
