// The query text's own limits, counted the way the attacker pays for them rather than the way
// graphql-js counts. graphql-js's maxTokens counts lexical tokens only: comments are read (and
// each becomes a token object the document keeps) without counting, and whitespace and commas
// are skipped without counting, so a 1 MB body of comments under 3 000 tokens parses (about 2 s
// and 47 MB of heap here). Hence:
//   - bytes: every byte of the text (comments, whitespace and commas included) counts toward
//     maxDocumentBytes, and over HTTP the text is measured before Apollo parses it;
//   - tokens: comments count toward maxTokens like any other token (checked on the parsed
//     document's token list, whose length the byte limit already bounds).
import type { DocumentNode, GraphQLError } from 'graphql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { limitExceeded } from '../../errors/limits.ts';
import type { LimitsOptions } from './options.ts';

/** Tokens of a parsed document, comments included (graphql-js links them into the token list). */
export function countTokens(doc: DocumentNode): number {
  let n = 0;
  for (let t = doc.loc?.startToken.next; t && t.kind !== '<EOF>'; t = t.next) n++;
  return n;
}

function queryText(request: FastifyRequest): unknown {
  const from = request.method === 'GET' ? request.query : request.body;
  return typeof from === 'object' && from !== null ? (from as { query?: unknown }).query : undefined;
}

/** The refusal of a query text over maxDocumentBytes, measured without parsing it; undefined when it fits. */
export function documentSizeRefusal(query: unknown, limits: Pick<LimitsOptions, 'maxDocumentBytes'>): GraphQLError | undefined {
  if (typeof query !== 'string' || query.length <= limits.maxDocumentBytes / 3) return undefined; // cannot exceed it in UTF-8
  const bytes = Buffer.byteLength(query);
  return bytes <= limits.maxDocumentBytes ? undefined : limitExceeded('documentSize', limits.maxDocumentBytes, bytes);
}

/** Fastify preHandler for /graphql: a query text over maxDocumentBytes is refused before it is parsed. */
export function documentSizeGate(limits: Pick<LimitsOptions, 'maxDocumentBytes'>) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const error = documentSizeRefusal(queryText(request), limits);
    if (!error) return undefined;
    const { http: _status, ...extensions } = error.extensions;
    // Returning the reply tells Fastify the request is answered: the handler (Apollo) never runs.
    return reply.status(413).send({ errors: [{ message: error.message, extensions }] });
  };
}
