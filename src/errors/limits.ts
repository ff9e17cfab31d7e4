// The one shape of a limit refusal: OPERATION_LIMIT_EXCEEDED naming the limit, its maximum and,
// when known, what the operation asked for. Raised by plugins/limits (depth, aliases, document
// size, cost), by the parser (tokens, recognised in formatError by isTokenLimitError) and by
// the HTTP layer (body size; the body's depth and number of values, measured before parsing).
import { GraphQLError, Lexer, TokenKind } from 'graphql';
import { ErrorCode } from './codes.ts';

export type LimitName = 'bodySize' | 'bodyDepth' | 'bodyValues' | 'documentSize' | 'tokens' | 'depth' | 'aliases' | 'cost' | 'operations';

const DESCRIPTIONS: Record<LimitName, string> = {
  bodySize: 'request body size (bytes)',
  bodyDepth: 'request body nesting depth',
  bodyValues: 'number of values in the request body',
  documentSize: 'document size (bytes)',
  tokens: 'number of tokens',
  depth: 'depth',
  aliases: 'number of aliases',
  cost: 'cost',
  operations: 'number of operations running at once on this WebSocket',
};

export function limitMessage(limit: LimitName, max: number, actual?: number): string {
  const found = actual === undefined ? '' : ` (this one: ${actual})`;
  return `Operation refused: its ${DESCRIPTIONS[limit]} exceeds the limit of ${max}${found}`;
}

export function limitExtensions(limit: LimitName, max: number, actual?: number): Record<string, unknown> {
  return { code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit, max, ...(actual === undefined ? {} : { actual }) };
}

/** HTTP 400 (413 for sizes): the request is refused as a whole, before any resolver runs. */
export function limitExceeded(limit: LimitName, max: number, actual?: number): GraphQLError {
  const status = limit === 'bodySize' || limit === 'bodyDepth' || limit === 'bodyValues' || limit === 'documentSize' ? 413 : 400;
  return new GraphQLError(limitMessage(limit, max, actual), { extensions: { ...limitExtensions(limit, max, actual), http: { status } } });
}

// graphql-js aborts parsing at parseOptions.maxTokens, and Apollo reports it as
// GRAPHQL_PARSE_FAILED, which would hide that a limit (not a typo) refused the operation. The
// parser throws at the start of token maxTokens + 1, before looking at it, so a syntax error
// at exactly that position is the limit: the document is lexed again (only on this error path,
// and no further than that token) instead of matching graphql-js's message text.
export function isTokenLimitError(error: unknown, maxTokens: number): boolean {
  const { source, positions } = (error ?? {}) as Partial<Pick<GraphQLError, 'source' | 'positions'>>;
  const at = positions?.[0];
  if (!source || at === undefined) return false;
  try {
    const lexer = new Lexer(source);
    for (let n = 0; n <= maxTokens; n++) {
      const token = lexer.advance();
      if (token.kind === TokenKind.EOF) return false;
      if (n === maxTokens) return token.start === at;
    }
  } catch {
    // The text does not even lex that far: a syntax error, not the limit.
  }
  return false;
}
