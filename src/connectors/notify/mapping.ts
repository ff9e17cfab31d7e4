// A NotifyMessage on the wire: Slack's incoming-webhook payload (`text` for every chat tool that
// speaks it, `blocks` for Slack), and the Standard Webhooks JSON body (`type`, `timestamp`, `data`).
import { z } from 'zod';
import type { NotifyMessage, Severity } from '../domain/notify.ts';

/** What a delivery returns: the receiver's 2xx status (anything else was thrown as an error). */
export const DeliveredSchema = z.object({ status: z.number().int().min(200).max(299) });

const ICON: Record<Severity, string> = { critical: ':rotating_light:', warning: ':warning:', info: ':white_check_mark:' };
// Slack's limit for one text object is 3000 characters.
const MAX_TEXT = 3_000;

// Slack's mrkdwn gives &, < and > a meaning (links, mentions): escaped, as Slack asks.
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cut = (s: string) => (s.length <= MAX_TEXT ? s : `${s.slice(0, MAX_TEXT - 1)}…`);

export function slackPayload(m: NotifyMessage, at: string): { text: string; blocks: unknown[] } {
  const title = `${ICON[m.severity]} ${escape(m.title)}`;
  const facts = Object.entries(m.data)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${escape(k)} \`${escape(String(v)).replace(/`/g, "'")}\``);
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: cut(title) } }];
  if (m.text && !m.title.includes(m.text)) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(escape(m.text)) } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut([...facts, at].join(' · ')) }] });
  return { text: cut(title), blocks };
}

export interface WebhookBody {
  type: string;
  timestamp: string;
  data: { title: string; text: string; severity: Severity; dedupeKey: string | null; details: NotifyMessage['data'] };
}

export function webhookBody(m: NotifyMessage, at: string): WebhookBody {
  return { type: m.event, timestamp: at, data: { title: m.title, text: m.text, severity: m.severity, dedupeKey: m.dedupeKey ?? null, details: m.data } };
}
