// Two checks that read client text without trusting graphql-js's or JSON.parse's wording or
// cost: a JSON body's depth and size, measured before it is parsed, and the parser's token
// limit, recognised by where the parse stopped rather than by its message.
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { jsonShapeRefusal } from '../../src/http.ts';
import { isTokenLimitError } from '../../src/errors/limits.ts';

const limits = { maxDepth: 4, maxValues: 10 };

describe('jsonShapeRefusal', () => {
  it('counts nesting and values outside strings only', () => {
    expect(jsonShapeRefusal('{"a":{"b":{"c":1}}}', limits)).toBeUndefined();
    expect(jsonShapeRefusal('{"a":{"b":{"c":{"d":{}}}}}', limits)).toEqual({ limit: 'bodyDepth', max: 4 });
    expect(jsonShapeRefusal(JSON.stringify({ a: Array.from({ length: 20 }, () => 1) }), limits)).toEqual({ limit: 'bodyValues', max: 10 });
    // Brackets, commas, quotes and backslashes inside strings are text.
    expect(jsonShapeRefusal(JSON.stringify({ q: '[[[[[[{{{{,,,,,,,,,,,,\\"\\\\"]]' }), limits)).toBeUndefined();
    expect(jsonShapeRefusal(JSON.stringify({ q: 'x\\', r: [[[[1]]]] }), limits)).toEqual({ limit: 'bodyDepth', max: 4 });
  });

  it('reads 1 MiB in one pass', () => {
    const big = JSON.stringify({ q: Array.from({ length: 1 << 18 }, () => 1) });
    const started = performance.now();
    expect(jsonShapeRefusal(big, { maxDepth: 32, maxValues: 1e9 })).toBeUndefined();
    const ms = performance.now() - started;
    expect(ms, `${ms.toFixed(1)} ms`).toBeLessThan(1_000);
  });
});

describe('isTokenLimitError', () => {
  const parseError = (text: string, maxTokens: number): unknown => {
    try {
      parse(text, { maxTokens });
    } catch (err) {
      return err;
    }
    throw new Error('parsed');
  };

  it('recognises the parser stopping at the limit, and nothing else', () => {
    const many = `{ ${'a '.repeat(50)}}`;
    expect(isTokenLimitError(parseError(many, 20), 20)).toBe(true);
    // A syntax error before the limit, in a document that has more tokens than the limit.
    expect(isTokenLimitError(parseError(`{ a ) ${'b '.repeat(50)}}`, 20), 20)).toBe(false);
    // A syntax error right at the token after the limit is still the limit: the parser stops first.
    expect(isTokenLimitError(parseError(`{ ${'a '.repeat(19)}) }`, 20), 20)).toBe(true);
    // The lexer refusing a character, and an unterminated string, near the limit.
    expect(isTokenLimitError(parseError(`{ ${'a '.repeat(18)}? }`, 20), 20)).toBe(false);
    expect(isTokenLimitError(parseError(`{ a "unterminated`, 20), 20)).toBe(false);
    expect(isTokenLimitError(new Error('not a GraphQL error'), 20)).toBe(false);
  });
});
