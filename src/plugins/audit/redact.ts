// What of an operation's variables the audit trail may keep. The default policy removes values
// under sensitive-looking names and, wherever they appear, anything that looks like a card number
// or an email address: a name-only rule misses `search: "ada@example.com"`, a value-only rule
// misses a CVC. Sizes are bounded too, so one huge variable cannot bloat the trail.
import type { GraphQLInputObjectType } from 'graphql';
import type { AuditRedaction } from './options.ts';
import { promptField, type PromptPositions } from './prompts.ts';

export const REDACTED = '[redacted]';

// `pan` only as a whole word of the name (primaryPan, card_pan), never inside company or expand.
const SENSITIVE_NAME = /email|card|cvc|cvv|token|secret|passw(or)?d|authorization|api[-_]?key|ssn|iban/i;
const PAN_WORD = /(^|_)pan(_|$)/;
const AI_PROMPT_NAME = /^(prompt|messages|system|instructions?)$/i;

// 13 to 19 digits, single spaces or dashes allowed between them; Luhn decides.
const CARD_CANDIDATE = /(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

const MAX_DEPTH = 8;
const MAX_STRING = 512;
const MAX_ITEMS = 50;

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toLowerCase();
}

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Replaces card-like numbers and email addresses inside a string. */
export function scrubText(text: string): string {
  return text
    .replace(CARD_CANDIDATE, (m) => (luhn(m.replace(/[ -]/g, '')) ? REDACTED : m))
    .replace(EMAIL, REDACTED);
}

/** `prompts`: where the operation puts AI prompt text (redacted unless AUDIT_AI_PROMPTS=keep). */
export type Redactor = (variables: unknown, prompts?: PromptPositions) => unknown;

export function createRedactor(policy: AuditRedaction): Redactor {
  const extra = new Set(policy.names.map((n) => n.toLowerCase()));
  // `none` still honours the listed names and the AI prompt setting: they are explicit choices.
  const sensitive = (name: string) =>
    extra.has(name.toLowerCase()) ||
    (policy.aiPrompts === 'redact' && AI_PROMPT_NAME.test(name)) ||
    (policy.mode === 'default' && (SENSITIVE_NAME.test(name) || PAN_WORD.test(snake(name))));

  const walk = (value: unknown, depth: number, type?: GraphQLInputObjectType): unknown => {
    if (value === null || typeof value === 'boolean') return value;
    if (policy.mode === 'all' && typeof value !== 'object') return REDACTED;
    if (typeof value === 'number') return policy.mode === 'default' && Number.isInteger(value) && /^\d{13,19}$/.test(String(value)) && luhn(String(value)) ? REDACTED : value;
    if (typeof value === 'string') {
      // Scrubbed before it is cut, so a cut never leaves half an address behind.
      const text = policy.mode === 'default' ? scrubText(value) : value;
      return text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…[+${text.length - MAX_STRING} chars]` : text;
    }
    if (typeof value !== 'object') return null;
    if (depth >= MAX_DEPTH) return '[too deep]';
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_ITEMS).map((v) => walk(v, depth + 1, type));
      return value.length > MAX_ITEMS ? [...items, `[+${value.length - MAX_ITEMS} items]`] : items;
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>).slice(0, MAX_ITEMS)) {
      // A key can carry data too ({ "ada@example.com": 1 }).
      const name = policy.mode === 'none' ? key : scrubText(key);
      const field = type ? promptField(type, key) : undefined;
      const prompt = field?.prompt && policy.aiPrompts === 'redact';
      out[name] = (sensitive(key) || prompt) && v !== null ? REDACTED : walk(v, depth + 1, field?.type);
    }
    return out;
  };

  return (variables, prompts) => {
    if (variables === undefined || variables === null) return null;
    if (typeof variables !== 'object' || Array.isArray(variables)) return walk(variables, 0);
    // The top level is the variables object: each variable is walked with the input type it was
    // declared with, so a prompt field inside it is found whatever the variable is called.
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(variables as Record<string, unknown>).slice(0, MAX_ITEMS)) {
      const name = policy.mode === 'none' ? key : scrubText(key);
      const prompt = policy.aiPrompts === 'redact' && prompts?.whole.has(key);
      out[name] = (sensitive(key) || prompt) && v !== null ? REDACTED : walk(v, 1, prompts?.typed.get(key));
    }
    return out;
  };
}
