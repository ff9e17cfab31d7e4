// Options of the operation-limits plugin, with their defaults (each is a GRAPHQL_MAX_* setting).
export interface LimitsOptions {
  /** Deepest nesting of fields (introspection's __schema and __type are not counted). Default 12. */
  maxDepth: number;
  /** Aliased fields in the whole document, fragments counted where spread. Default 30. */
  maxAliases: number;
  /** Lexical tokens; graphql-js stops parsing past it. Default 3000 (Sandbox's introspection query has 183). */
  maxTokens: number;
  /** Size of the query text in bytes. Default 32 KiB. */
  maxDocumentBytes: number;
  /** Cost (see cost.ts). Default 10 000: 50 customers with 3 payments and a contact each cost about 1 300. */
  maxCost: number;
  /** `Type.field` -> the field's own cost; unlisted fields cost 1 (objects) or 0 (scalars). Default FIELD_WEIGHTS. */
  weights?: Readonly<Record<string, number>>;
}

export const LIMIT_DEFAULTS = { maxDepth: 12, maxAliases: 30, maxTokens: 3_000, maxDocumentBytes: 32_768, maxCost: 10_000 } as const;

/**
 * The fields that cost more than 1: those that reach an outside system (batched per request, but
 * still the expensive part of an operation) and the writes, which make several calls each and,
 * for AI completions, are billed per token.
 */
export const FIELD_WEIGHTS: Readonly<Record<string, number>> = {
  'Query.customers': 2,
  'Query.payment': 3,
  'Query.crmContact': 3,
  'Customer.payments': 5,
  'Customer.totalPaid': 5,
  'Customer.crmContact': 3,
  'Payment.refunds': 3,
  'Refund.payment': 3,
  'Mutation.createCustomer': 50,
  'Mutation.createPayment': 20,
  'Mutation.refundPayment': 20,
  'Mutation.complete': 100,
};
