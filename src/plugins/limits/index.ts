// Operation limits as the pieces Apollo Server takes: parse options, a validation rule, a plugin.
import type { ParseOptions, ValidationRule } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context.ts';
import { documentLimitsRule } from './document.ts';
import { costLimitPlugin } from './plugin.ts';
import { documentSizeGate, documentSizeRefusal } from './source.ts';
import { DocumentStore } from './documentStore.ts';
import type { LimitsOptions } from './options.ts';

export { FIELD_WEIGHTS, UPSTREAM_CALLS, CALL_POINTS, type LimitsOptions } from './options.ts';
export { measureDocument } from './document.ts';
export { cachedOperationCost, operationCost } from './cost.ts';
export { DocumentStore } from './documentStore.ts';

export interface OperationLimits {
  parseOptions: ParseOptions;
  validationRules: ValidationRule[];
  plugin: ApolloServerPlugin<Context>;
  /** Fastify preHandler of /graphql: the document size, before Apollo parses the text. */
  httpGate: ReturnType<typeof documentSizeGate>;
  /** The same size check for a text that came another way (GraphQL over WebSocket). */
  documentSizeRefusal(query: unknown): ReturnType<typeof documentSizeRefusal>;
  /** Apollo's cache of parsed documents, sized by their estimated heap (documentStore.ts). */
  documentStore: DocumentStore;
}

export function operationLimits(options: LimitsOptions): OperationLimits {
  return {
    parseOptions: { maxTokens: options.maxTokens },
    validationRules: [documentLimitsRule(options)],
    plugin: costLimitPlugin(options),
    httpGate: documentSizeGate(options),
    documentSizeRefusal: (query) => documentSizeRefusal(query, options),
    documentStore: new DocumentStore(),
  };
}
