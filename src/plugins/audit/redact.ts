// What of an operation's variables the audit trail may keep. The default policy removes values
// under sensitive-looking names (personal names among them) and, wherever they appear, anything
// that looks like a card number or an email address: a name-only rule misses
// `search: "ada@example.com"`, a value-only rule misses a CVC. Variables are client input of any
// size and shape, so every string is cut before it is searched (scan.ts), and the walk itself is
// bounded: per level, in depth, and in values and characters over the whole record.
import type { GraphQLInputObjectType } from 'graphql';
import type { AuditRedaction } from './options.ts';
import { promptField, type PromptPositions } from './prompts.ts';
import { luhn, scrubCut } from './scan.ts';

export { luhn } from './scan.ts';

export const REDACTED = '[redacted]';

// `pan` only as a whole word of the name (primaryPan, card_pan), never inside company or expand.
const SENSITIVE_NAME = /email|card|cvc|cvv|token|secret|passw(or)?d|authorization|api[-_]?key|ssn|iban/i;
const PAN_WORD = /(^|_)pan(_|$)/;
const AI_PROMPT_NAME = /^(prompt|messages|system|instructions?)$/i;

// Personal names: `name` itself, the one-word forms (surname, firstname), and `…Name` where the
// word before says it is a person's (firstName, customer_name), not a thing's (operationName,
// fileName, companyName, modelName).
const NAME_WORDS = new Set([
  'surname',
  'surnames',
  'forename',
  'forenames',
  'firstname',
  'lastname',
  'fullname',
  'middlename',
  'givenname',
  'familyname',
  'nickname',
  'username',
  'displayname',
  'maidenname',
]);
const PERSON_WORDS = new Set([
  'first',
  'last',
  'full',
  'middle',
  'given',
  'family',
  'maiden',
  'legal',
  'preferred',
  'display',
  'nick',
  'user',
  'real',
  'birth',
  'customer',
  'contact',
  'person',
  'people',
  'holder',
  'cardholder',
  'owner',
  'recipient',
  'sender',
  'billing',
  'shipping',
  'member',
  'employee',
  'patient',
  'guardian',
  'parent',
  'spouse',
  'emergency',
  'signer',
  'beneficiary',
  'account',
  'your',
  'my',
]);

const MAX_DEPTH = 8;
const MAX_STRING = 512;
const MAX_KEY = 128;
const MAX_ITEMS = 50;
// Over the whole record: past these, values are left out (marked), so a wide or deep payload
// costs the trail a bounded record and the request a bounded walk.
const MAX_VALUES = 1_000;
const MAX_CHARS = 16_384;

/** Words of a variable or field name, lower case: `firstName` and `first_name` give first, name. */
function words(name: string): string[] {
  return name
    .slice(0, MAX_KEY)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[-_]+/)
    .filter(Boolean);
}

export function personalName(name: string): boolean {
  const w = words(name);
  const last = w.at(-1);
  if (!last) return false;
  if (NAME_WORDS.has(last)) return true;
  if (last !== 'name' && last !== 'names') return false;
  return w.length === 1 || PERSON_WORDS.has(w.at(-2)!);
}

/** Replaces card-like numbers and email addresses inside a string, cutting it at `max` first. */
export function scrubText(text: string, max = MAX_STRING): string {
  return scrubCut(text, max, REDACTED);
}

/** `prompts`: where the operation puts AI prompt text (redacted unless AUDIT_AI_PROMPTS=keep). `declared`: the operation's variables, walked first. */
export type Redactor = (variables: unknown, prompts?: PromptPositions, declared?: ReadonlySet<string>) => unknown;

export function createRedactor(policy: AuditRedaction): Redactor {
  const extra = new Set(policy.names.map((n) => n.toLowerCase()));
  // `none` still honours the listed names and the AI prompt setting: they are explicit choices.
  const sensitive = (name: string) => {
    const key = name.slice(0, MAX_KEY * 2);
    return (
      extra.has(key.toLowerCase()) ||
      (policy.aiPrompts === 'redact' && AI_PROMPT_NAME.test(key)) ||
      (policy.mode === 'default' && (SENSITIVE_NAME.test(key) || PAN_WORD.test(words(key).join('_')) || personalName(key)))
    );
  };
  const keyText = (key: string) => (policy.mode === 'none' ? (key.length > MAX_KEY ? `${key.slice(0, MAX_KEY)}…` : key) : scrubText(key, MAX_KEY));

  return (variables, prompts, declared) => {
    if (variables === undefined || variables === null) return null;
    let values = MAX_VALUES;
    let chars = MAX_CHARS;

    const text = (value: string): string => {
      const max = Math.max(0, Math.min(MAX_STRING, chars));
      if (max === 0) return value.length ? `…[+${value.length} chars]` : value;
      const out = policy.mode === 'default' ? scrubText(value, max) : value.length > max ? `${value.slice(0, max)}…[+${value.length - max} chars]` : value;
      chars -= Math.min(value.length, max);
      return out;
    };

    const walk = (value: unknown, depth: number, type?: GraphQLInputObjectType): unknown => {
      values--;
      if (value === null || typeof value === 'boolean') return value;
      if (policy.mode === 'all' && typeof value !== 'object') return REDACTED;
      if (typeof value === 'number')
        return policy.mode === 'default' && Number.isInteger(value) && /^\d{13,19}$/.test(String(value)) && luhn(String(value)) ? REDACTED : value;
      if (typeof value === 'string') return text(value);
      if (typeof value !== 'object') return null;
      if (depth >= MAX_DEPTH) return '[too deep]';
      if (Array.isArray(value)) {
        const items: unknown[] = [];
        for (const v of value) {
          if (items.length >= MAX_ITEMS || values <= 0) break;
          items.push(walk(v, depth + 1, type));
        }
        return value.length > items.length ? [...items, `[+${value.length - items.length} items]`] : items;
      }
      return entries(value as Record<string, unknown>, ownKeys(value as Record<string, unknown>), depth, (key) => (type ? promptField(type, key) : undefined));
    };

    const entries = (
      object: Record<string, unknown>,
      keys: Iterable<string>,
      depth: number,
      field: (key: string) => { prompt: boolean; type?: GraphQLInputObjectType } | undefined,
    ) => {
      const out: Record<string, unknown> = {};
      let kept = 0;
      for (const key of keys) {
        if (kept >= MAX_ITEMS || values <= 0) {
          out['[more]'] = '[left out]';
          break;
        }
        kept++;
        const v = object[key];
        const f = field(key);
        const prompt = f?.prompt && policy.aiPrompts === 'redact';
        // A key can carry data too ({ "ada@example.com": 1 }).
        const value = (sensitive(key) || prompt) && v !== null ? (values--, REDACTED) : walk(v, depth + 1, f?.type);
        // defineProperty: a "__proto__" key is data here, not the record's prototype.
        Object.defineProperty(out, keyText(key), { value, enumerable: true, writable: true, configurable: true });
      }
      return out;
    };

    if (typeof variables !== 'object' || Array.isArray(variables)) return walk(variables, 0);
    // The top level is the variables object. The operation's own variables come first, so junk
    // it does not declare cannot use up the budget; each is walked with the input type it was
    // declared with, so a prompt field inside it is found whatever the variable is called.
    const object = variables as Record<string, unknown>;
    const keys = declared ? declaredFirst(object, declared) : ownKeys(object);
    return entries(object, keys, 0, (key) => ({ prompt: prompts?.whole.has(key) ?? false, type: prompts?.typed.get(key) }));
  };
}

function* declaredFirst(object: Record<string, unknown>, declared: ReadonlySet<string>): Generator<string> {
  for (const key of declared) if (Object.hasOwn(object, key)) yield key;
  yield* ownKeys(object, declared);
}

/** Own keys of `object` (but those in `except`), lazily: a huge object is read only as far as the walk goes. */
function* ownKeys(object: Record<string, unknown>, except?: ReadonlySet<string>): Generator<string> {
  for (const key in object) if (Object.hasOwn(object, key) && !except?.has(key)) yield key;
}
