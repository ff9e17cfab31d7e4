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
  /** Cost (see cost.ts). Default 10 000: 50 customers with 3 payments and a contact each cost about 1 200. */
  maxCost: number;
  /** `Type.field` -> the field's own cost beside its calls; unlisted fields cost 1 (objects) or 0 (scalars). Default FIELD_WEIGHTS. */
  weights?: Readonly<Record<string, number>>;
  /** `Type.field` -> the upstream calls it causes per item of the list it is in. Default UPSTREAM_CALLS. */
  upstreamCalls?: Readonly<Record<string, UpstreamCalls>>;
  /** Points one upstream call adds. Default CALL_POINTS. */
  callPoints?: number;
}

/** What one call to another system adds to an operation's cost: ten objects' worth. */
export const CALL_POINTS = 10;

/**
 * The fields whose own cost is not 1: a store read that counts as well as pages, and the writes,
 * priced by their effect (several calls each, and for AI completions, tokens billed).
 */
export const FIELD_WEIGHTS: Readonly<Record<string, number>> = {
  'Query.customers': 2,
  'Mutation.createCustomer': 50,
  'Mutation.createPayment': 20,
  'Mutation.refundPayment': 20,
  'Mutation.complete': 100,
};

/**
 * The argument names the rules of UPSTREAM_CALLS read (besides `first`, which the estimator
 * reads): a cost is cached per value of the variables these receive (cost.ts), so a rule that
 * reads another argument must list it here (test/unit/limits.test.ts checks this).
 */
export const COST_ARGUMENTS: readonly string[] = ['first', 'after'];

/** Calls a field causes per item of the list it sits in: a number, or a rule on its arguments. */
export type UpstreamCalls = number | ((args: Record<string, unknown>) => number);

// The payments provider's search takes 10 customers a call (its list API, one); the CRM's batch
// read 100 contacts: estimates for the connectors of today, from their documented limits.
const PAYMENTS_SEARCH_BATCH = 10;
const CRM_BATCH = 100;

/**
 * The read fields that reach another system, by the calls each can cause per item, so that
 * an operation's cost follows the calls it makes (and the inbound limit, weighted by cost,
 * bounds them). An edge with no batched route costs a whole call per item; a batched one its
 * share of a batch, so a list of N costs what its batches do (a lone item costs less than its
 * one call: the price of pricing per item). Fields answered from the store or from data already
 * read (a payment's refunds come with it; a refund's or contact's customer is SQL) cost no call.
 */
export const UPSTREAM_CALLS: Readonly<Record<string, UpstreamCalls>> = {
  // A payment is read one call each: there is no batch retrieve.
  'Query.payment': 1,
  'Refund.payment': 1,
  // A CRM batch read; at the root it is one call whatever the batch.
  'Query.crmContact': 1,
  'Customer.crmContact': 1 / CRM_BATCH,
  // Searched 10 customers a call, except later pages and pages of 100, which take the list API per customer.
  'Customer.payments': (args) => (args.after || (typeof args.first === 'number' && args.first >= 100) ? 1 : 1 / PAYMENTS_SEARCH_BATCH),
  'Customer.totalPaid': 1 / PAYMENTS_SEARCH_BATCH,
};
