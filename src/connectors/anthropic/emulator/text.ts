// Deterministic "model output": the same (model, system, messages) always yields the same text,
// worded unlike the OpenAI emulator's, so a test can tell which provider answered.
import { createHash } from 'node:crypto';

const OPENINGS = ['Here is what stands out.', 'In short:', 'A brief read:', 'Looking at this closely:', 'The essentials:', 'My summary:'];
const FINDINGS = [
  'the relationship looks stable and well maintained',
  'recent activity points to growing interest',
  'there is an open question worth settling soon',
  'payments have been regular with no disputes',
  'engagement dipped slightly and may need attention',
  'the account is a fair candidate for an upgrade',
];
const ADVICE = [
  'I would schedule a short check-in.',
  'Nothing urgent needs doing right now.',
  'Sharing a usage report could help.',
  'It is worth raising at the next review.',
  'Keep an eye on the next invoice.',
  'A personal note would land well here.',
];

export function digest(parts: unknown): Buffer {
  return createHash('sha256').update(JSON.stringify(parts)).digest();
}

function pick(list: string[], byte: number | undefined): string {
  return list[(byte ?? 0) % list.length]!;
}

/** A few sentences chosen by the digest of the request, quoting the start of the last user turn. */
export function replyText(model: string, system: string, turns: Array<{ role: string; text: string }>): string {
  const h = digest([model, system, turns.map((t) => [t.role, t.text])]);
  const lastUser = [...turns].reverse().find((t) => t.role === 'user')?.text ?? '';
  const topic = lastUser.replace(/\s+/g, ' ').trim().split(' ').slice(0, 8).join(' ');
  return [
    pick(OPENINGS, h[0]),
    topic ? `On "${topic}", ${pick(FINDINGS, h[1])}.` : `Overall, ${pick(FINDINGS, h[1])}.`,
    `Beyond that, ${pick(FINDINGS, h[2])}.`,
    pick(ADVICE, h[3]),
    `[${h.subarray(4, 8).toString('hex')}]`,
  ].join(' ');
}

/** ~4 characters per token, never less than one. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** The text as the tokens a stream sends one by one (four characters each, the last shorter). */
export function tokenPieces(text: string): string[] {
  return text.match(/[\s\S]{1,4}/g) ?? [];
}
