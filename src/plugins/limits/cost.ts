// Operation cost with graphql-query-complexity (maintained, used by type-graphql and others) and
// one estimator of our own, in the manner of Shopify's and GitHub's public cost models: a field
// that returns an object costs 1, a scalar or enum field costs 0 (it is part of an object
// already fetched), weighted fields cost their weight, a field that reaches another system adds
// CALL_POINTS for each call it causes per item (options.ts: UPSTREAM_CALLS, batching counted),
// and a connection's `first` multiplies its children, so `customers(first: 100) { ... payments(first: 10) }`
// costs what it would fetch and call. The multiplier also covers pageInfo and totalCount, a small
// overcount. Introspection costs nothing: Sandbox polls the schema.
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { CALL_POINTS, FIELD_WEIGHTS, UPSTREAM_CALLS, type UpstreamCalls } from './options.ts';

export interface CostModel {
  weights: Readonly<Record<string, number>>;
  upstreamCalls: Readonly<Record<string, UpstreamCalls>>;
  callPoints: number;
}

export const DEFAULT_COST_MODEL: CostModel = { weights: FIELD_WEIGHTS, upstreamCalls: UPSTREAM_CALLS, callPoints: CALL_POINTS };

export function connectionEstimator(model: CostModel): ComplexityEstimator {
  return ({ type, field, node, args, childComplexity }) => {
    const key = `${type.name}.${field.name}`;
    const weight = model.weights[key];
    const rule = model.upstreamCalls[key];
    const calls = typeof rule === 'function' ? rule(args) : (rule ?? 0);
    // A field without a selection set is a leaf (validation guarantees it), whatever its type object.
    const own = field.name.startsWith('__') ? 0 : (weight ?? (node.selectionSet ? 1 : 0)) + calls * model.callPoints;
    const first = typeof args.first === 'number' && args.first > 0 ? args.first : 1;
    return own + first * childComplexity;
  };
}

/** The cost of the operation to run, with variables applied; undefined when the variables are invalid. */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  model: Partial<CostModel> = {},
): number | undefined {
  const full = { ...DEFAULT_COST_MODEL, ...model };
  try {
    const cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [connectionEstimator(full)],
    });
    // Batched calls are fractions per item; the sum is rounded up (past float noise), so it stays whole points.
    return Math.ceil(cost - 1e-9);
  } catch {
    // Variables that do not coerce: execution refuses them with BAD_USER_INPUT before any resolver.
    return undefined;
  }
}
