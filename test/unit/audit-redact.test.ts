// The audit redaction policy: sensitive names, card numbers (Luhn) and email addresses anywhere,
// AI prompt text wherever the document puts it, the three modes, and size bounds.
import { createRequire } from 'node:module';
import type * as GraphQLModule from 'graphql';
import type { OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createRedactor, luhn, scrubText } from '../../src/plugins/audit/redact.ts';
import { promptPositions } from '../../src/plugins/audit/prompts.ts';
import { canonicalJson, sanitizeForJsonb } from '../../src/plugins/audit/chain.ts';

// The CommonJS graphql-js, as Apollo (and so prompts.ts) uses it.
const { buildSchema, parse } = createRequire(import.meta.url)('graphql') as typeof GraphQLModule;
const R = '[redacted]';
const redact = createRedactor({ mode: 'default', names: [], aiPrompts: 'redact' });

describe('audit redaction', () => {
  it('redacts values under sensitive names, nested, but not company or expand', () => {
    expect(redact({ input: { email: 'x', cardNumber: '1', cvc: '123', apiKey: 'k', api_key: 'k', accessToken: 't', password: 'p', primaryPan: '5', company: 'Acme', expand: 'all', name: 'Ada' } })).toEqual({
      input: { email: R, cardNumber: R, cvc: R, apiKey: R, api_key: R, accessToken: R, password: R, primaryPan: R, company: 'Acme', expand: 'all', name: 'Ada' },
    });
  });

  it('finds card numbers by Luhn and emails anywhere, in strings, numbers and keys', () => {
    expect(luhn('4242424242424242')).toBe(true);
    expect(luhn('4242424242424241')).toBe(false);
    expect(scrubText('pay 4242 4242 4242 4242 or 4000-0566-5566-5556, not order 1234567890123')).toBe(`pay ${R} or ${R}, not order 1234567890123`);
    expect(scrubText('write to Ada.Lovelace+x@mail.example.co.uk today')).toBe(`write to ${R} today`);
    expect(redact({ q: 4242424242424242, n: 1234567890123, list: ['ada@example.com'], ['ada@example.com']: 1 })).toEqual({ q: R, n: 1234567890123, list: [R], [R]: 1 });
  });

  it('honours the modes and the listed names', () => {
    expect(createRedactor({ mode: 'all', names: [], aiPrompts: 'keep' })({ a: 'x', b: { c: 2, d: [true, null] } })).toEqual({ a: R, b: { c: R, d: [true, null] } });
    const none = createRedactor({ mode: 'none', names: ['dob'], aiPrompts: 'keep' });
    expect(none({ email: 'ada@example.com', DOB: '1815-12-10', prompt: 'hi' })).toEqual({ email: 'ada@example.com', DOB: R, prompt: 'hi' });
  });

  it('bounds sizes', () => {
    const out = redact({ s: 'x'.repeat(2000), list: Array.from({ length: 80 }, (_, i) => i) }) as { s: string; list: unknown[] };
    expect(out.s).toHaveLength(512 + '…[+1488 chars]'.length);
    expect(out.list).toHaveLength(51);
    expect(out.list.at(-1)).toBe('[+30 items]');
  });

  it('finds AI prompt text by where the document uses a variable, whatever its name', () => {
    const schema = buildSchema(`
      enum AiRole { USER }
      input AiMessageInput { role: AiRole! content: String! }
      input CompleteInput { prompt: String messages: [AiMessageInput!] model: String }
      type Query { x: Int }
      type Mutation { complete(input: CompleteInput!): String }`);
    const op = (q: string) => parse(q).definitions[0] as OperationDefinitionNode;
    const direct = promptPositions(schema, op('mutation($p: String, $m: String) { complete(input: { prompt: $p, model: $m }) }'), undefined);
    expect(redact({ p: 'secret plan', m: 'gpt-4o-mini' }, direct)).toEqual({ p: R, m: 'gpt-4o-mini' });
    const typed = promptPositions(schema, op('mutation($in: CompleteInput!) { complete(input: $in) }'), undefined);
    expect(redact({ in: { prompt: 'secret', model: 'gpt-4o-mini' } }, typed)).toEqual({ in: { prompt: R, model: 'gpt-4o-mini' } });
    const keep = createRedactor({ mode: 'default', names: [], aiPrompts: 'keep' });
    expect(keep({ p: 'secret plan', m: 'x' }, direct)).toEqual({ p: 'secret plan', m: 'x' });
  });

  it('hashes a canonical form that survives jsonb key order, and makes strings storable', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"y":null,"z":1}]},"b":1}');
    expect(canonicalJson(JSON.parse(JSON.stringify({ n: 0.1 + 0.2, e: 1e21 })))).toBe('{"e":1e+21,"n":0.30000000000000004}');
    expect(sanitizeForJsonb({ 'k\u0000': 'a\u0000b\ud800' })).toEqual({ 'k\uFFFD': 'a\uFFFDb\uFFFD' });
  });
});
