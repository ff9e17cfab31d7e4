// The parser's token limit, recognised by where the parse stopped rather than by its message.
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { isTokenLimitError } from '../../src/errors/limits.ts';

const limits = { maxDepth: 4, maxValues: 10 };

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
