// Operation cost with graphql-query-complexity (maintained, used by type-graphql and others) and
// one estimator of our own, in the manner of Shopify's and GitHub's public cost models: a field
// that returns an object costs 1, a scalar or enum field costs 0 (it is part of an object
// already fetched), weighted fields cost their weight, and a connection's `first` multiplies
// its children, so `customers(first: 100) { ... payments(first: 10) }` costs what it would
// fetch. The multiplier also covers pageInfo and totalCount, a small overcount. Introspection
// costs nothing: Sandbox polls the schema.
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

export function connectionEstimator(weights: Readonly<Record<string, number>>): ComplexityEstimator {
  return ({ type, field, node, args, childComplexity }) => {
    const weight = weights[`${type.name}.${field.name}`];
    // A field without a selection set is a leaf (validation guarantees it), whatever its type object.
    const own = field.name.startsWith('__') ? 0 : (weight ?? (node.selectionSet ? 1 : 0));
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
  weights: Readonly<Record<string, number>>,
): number | undefined {
  try {
    return getComplexity({ schema, query: document, variables: variables ?? {}, operationName: operationName ?? undefined, estimators: [connectionEstimator(weights)] });
  } catch {
    // Variables that do not coerce: execution refuses them with BAD_USER_INPUT before any resolver.
    return undefined;
  }
}
