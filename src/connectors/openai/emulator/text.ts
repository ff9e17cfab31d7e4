// Deterministic "model output": the same (model, messages) always yields the same text, so
// tests and benchmarks can assert on it, and different prompts yield visibly different text.
import { createHash } from 'node:crypto';

export interface ChatMessage {
  role: string;
  content: string;
  name?: string;
}

const OPENERS = ['Sure.', 'Certainly.', 'Here is a short answer.', 'Good question.', 'In brief:', 'To summarise:'];
const SUBJECTS = ['The account', 'This customer', 'The record', 'The latest activity', 'The payment history', 'The pipeline'];
const VERBS = ['shows', 'suggests', 'indicates', 'points to', 'reflects', 'confirms'];
const OBJECTS = [
  'steady engagement over the last quarter',
  'a healthy relationship with room to grow',
  'a recent change worth following up on',
  'consistent payments and few open issues',
  'interest in an upgrade to the annual plan',
  'a good moment for a personal check-in',
];
const CLOSERS = [
  'A follow-up within a week is recommended.',
  'No immediate action is needed.',
  'Consider sharing the new onboarding guide.',
  'Flag this for the next account review.',
  'Keep monitoring the usage numbers.',
  'A short call would clarify the next steps.',
];

export function digest(model: string, messages: ChatMessage[]): Buffer {
  const canonical = JSON.stringify([model, messages.map((m) => [m.role, m.name ?? null, m.content])]);
  return createHash('sha256').update(canonical).digest();
}

function pick<T>(list: T[], byte: number | undefined): T {
  return list[(byte ?? 0) % list.length]!;
}

/** A few sentences chosen by the digest, anchored to the start of the last user message. */
export function generateText(model: string, messages: ChatMessage[]): string {
  const h = digest(model, messages);
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const topic = lastUser.replace(/\s+/g, ' ').trim().split(' ').slice(0, 8).join(' ');
  const about = topic ? `Regarding "${topic}": ` : '';
  return [
    pick(OPENERS, h[0]),
    `${about}${pick(SUBJECTS, h[1])
      .toLowerCase()
      .replace(/^./, (c) => (about ? c : c.toUpperCase()))} ${pick(VERBS, h[2])} ${pick(OBJECTS, h[3])}.`,
    `${pick(SUBJECTS, h[4])} also ${pick(VERBS, h[5])} ${pick(OBJECTS, h[6])}.`,
    pick(CLOSERS, h[7]),
    `(ref ${h.subarray(8, 12).toString('hex')})`,
  ].join(' ');
}

/** ~4 characters per token, never less than one: close enough to tiktoken for English text. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Chat framing overhead follows OpenAI's published counting recipe (3 per message, 3 to prime). */
export function promptTokens(messages: ChatMessage[]): number {
  return 3 + messages.reduce((sum, m) => sum + 3 + estimateTokens(m.content) + (m.name ? 1 : 0), 0);
}

export function fingerprint(model: string): string {
  return `fp_${createHash('sha256').update(model).digest('hex').slice(0, 10)}`;
}
