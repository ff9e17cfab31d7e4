// The audit redaction policy: sensitive names, card numbers (Luhn) and email addresses anywhere,
// AI prompt text wherever the document puts it, the three modes, and size bounds.
import { createRequire } from 'node:module';
import type * as GraphQLModule from 'graphql';
import type { OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createRedactor, luhn, scrubText } from '../../src/plugins/audit/redact.ts';
import { cardSpans, emailSpans } from '../../src/plugins/audit/scan.ts';
import { promptPositions } from '../../src/plugins/audit/prompts.ts';
import { canonicalJson, sanitizeForJsonb } from '../../src/plugins/audit/chain.ts';

// The CommonJS graphql-js, as Apollo (and so prompts.ts) uses it.
const { buildSchema, parse } = createRequire(import.meta.url)('graphql') as typeof GraphQLModule;
const R = '[redacted]';
const redact = createRedactor({ mode: 'default', names: [], aiPrompts: 'redact' });

describe('audit redaction', () => {
  it('redacts values under sensitive names, nested, but not company or expand', () => {
    expect(
      redact({
        input: {
          email: 'x',
          cardNumber: '1',
          cvc: '123',
          apiKey: 'k',
          api_key: 'k',
          accessToken: 't',
          password: 'p',
          primaryPan: '5',
          company: 'Acme',
          expand: 'all',
          name: 'Ada',
        },
      }),
    ).toEqual({
      input: { email: R, cardNumber: R, cvc: R, apiKey: R, api_key: R, accessToken: R, password: R, primaryPan: R, company: 'Acme', expand: 'all', name: R },
    });
  });

  it('redacts personal names, but not the names of things', () => {
    const people = {
      name: 'Ada',
      names: ['Ada'],
      firstName: 'A',
      first_name: 'A',
      lastName: 'L',
      'last-name': 'L',
      fullName: 'A L',
      FIRSTNAME: 'A',
      lastname: 'L',
      surname: 'L',
      middleName: 'B',
      givenName: 'A',
      familyName: 'L',
      displayName: 'ada',
      nickname: 'al',
      username: 'ada',
      customerName: 'A',
      contact_name: 'A',
      cardholderName: 'A',
    };
    const things = {
      operationName: 'Op',
      fileName: 'a.csv',
      typeName: 'T',
      fieldName: 'f',
      companyName: 'Acme',
      modelName: 'gpt-4o-mini',
      hostname: 'h',
      rename: true,
      nameServer: 'ns1',
      namespace: 'n',
    };
    expect(redact({ people, things })).toEqual({ people: Object.fromEntries(Object.keys(people).map((k) => [k, R])), things });
    expect(createRedactor({ mode: 'none', names: [], aiPrompts: 'keep' })({ name: 'Ada' })).toEqual({ name: 'Ada' });
  });

  it('finds card numbers by Luhn and emails anywhere, in strings, numbers and keys', () => {
    expect(luhn('4242424242424242')).toBe(true);
    expect(luhn('4242424242424241')).toBe(false);
    expect(scrubText('pay 4242 4242 4242 4242 or 4000-0566-5566-5556, not order 1234567890123')).toBe(`pay ${R} or ${R}, not order 1234567890123`);
    expect(scrubText('write to Ada.Lovelace+x@mail.example.co.uk today')).toBe(`write to ${R} today`);
    expect(redact({ q: 4242424242424242, n: 1234567890123, list: ['ada@example.com'], ['ada@example.com']: 1 })).toEqual({
      q: R,
      n: 1234567890123,
      list: [R],
      [R]: 1,
    });
  });

  it('finds what the patterns it replaces found, and what they missed', () => {
    expect(scrubText('mail ada@example.com. or bob.o+x@sub.example.co.uk, not @x.com, a@.com, a@b.c or a@localhost')).toBe(
      `mail ${R}. or ${R}, not @x.com, a@.com, a@b.c or a@localhost`,
    );
    // A card followed by another digit group was kept whole by the old pattern (it took 17 digits, failed Luhn, moved on).
    expect(scrubText('4242424242424242 7 and 4242-4242-4242-4242-1')).toBe(`${R} 7 and ${R}-1`);
    expect(scrubText('12345678901234567890123')).toBe('12345678901234567890123');
    expect(emailSpans('x@aaaa@b.com')).toEqual([[2, 12]]);
    expect(cardSpans('a4242424242424242b')).toEqual([[1, 17]]);
  });

  it('cuts before it searches, and never leaves part of an address at the cut', () => {
    const at = (n: number, s: string) => scrubText(`${'x'.repeat(n - 1)} ${s} ${'y'.repeat(299)}`);
    expect(at(500, 'ada.lovelace@example.org')).toBe(`${'x'.repeat(499)} ${R}…[+300 chars]`);
    expect(at(505, '4242 4242 4242 4242')).toBe(`${'x'.repeat(504)} ${R}…[+300 chars]`);
    expect(scrubText(`${'x'.repeat(499)} ada@example.org`, 505)).toBe(`${'x'.repeat(499)} ${R}`);
    expect(scrubText('é'.repeat(600))).toBe(`${'é'.repeat(512)}…[+88 chars]`);
    // Long runs without '@', digit runs and many '@': each a single pass (the old pattern took 11 s on 120 000 characters).
    for (const s of ['a'.repeat(1 << 20), '4'.repeat(1 << 20), '4242 '.repeat(1 << 18), 'a@'.repeat(1 << 19), 'a.'.repeat(1 << 19)]) {
      const started = performance.now();
      emailSpans(s);
      cardSpans(s);
      scrubText(s);
      const ms = performance.now() - started;
      expect(ms, `${s.slice(0, 8)}…: ${ms.toFixed(1)} ms`).toBeLessThan(2_000);
    }
  });

  it('bounds the walk over the whole record, and the declared variables come first', () => {
    const wide = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, 'v'.repeat(100)]));
    const out = redact({ junk: wide, junk2: wide, q: 'kept' }, undefined, new Set(['q'])) as Record<string, Record<string, unknown>>;
    expect(Object.keys(out)[0]).toBe('q');
    expect(out.q).toBe('kept');
    expect(Object.keys(out.junk!)).toHaveLength(51);
    expect(out.junk!['[more]']).toBe('[left out]');
    expect(JSON.stringify(out).length).toBeLessThan(40_000);
    const deep = redact({ d: JSON.parse(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`) });
    expect(JSON.stringify(deep)).toContain('[too deep]');
    expect(Object.getPrototypeOf(redact(JSON.parse('{"__proto__": {"x": 1}}')))).toBe(Object.prototype);
  });

  it('honours the modes and the listed names', () => {
    expect(createRedactor({ mode: 'all', names: [], aiPrompts: 'keep' })({ a: 'x', b: { c: 2, d: [true, null] } })).toEqual({
      a: R,
      b: { c: R, d: [true, null] },
    });
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
