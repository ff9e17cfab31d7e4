// Operation cost with graphql-query-complexity (maintained, used by type-graphql and others) and
// one estimator of our own, in the manner of Shopify's and GitHub's public cost models: a field
// that returns an object costs 1, a scalar or enum field costs 0 (it is part of an object
// already fetched), weighted fields cost their weight, a field that reaches another system adds
// CALL_POINTS for each call it causes per item (options.ts: UPSTREAM_CALLS, batching counted),
// and a connection's `first` multiplies its children, so `customers(first: 100) { ... payments(first: 10) }`
// costs what it would fetch and call. The multiplier also covers pageInfo and totalCount, a small
// overcount. Introspection costs nothing: Sandbox polls the schema.
//
// A document's cost depends only on the variables that reach an argument the model reads
// (`first`, and those its rules read: COST_ARGUMENTS) or an @include/@skip condition, so it is
// computed once per document, operation and values of those variables, and a repeat only
// coerces its variables (graphql-js's getVariableValues, about 2 µs, where getComplexity takes
// about 55): invalid variables still cost nothing (undefined) as before.
import { getOperationAST, Kind, visit, type DocumentNode, type GraphQLSchema, type ValueNode } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { graphql } from '../../graphqlRuntime.ts';
import { CALL_POINTS, COST_ARGUMENTS, FIELD_WEIGHTS, UPSTREAM_CALLS, type UpstreamCalls } from './options.ts';

// Coercion checks the schema's types with instanceof: the schema's copy of graphql-js (src/graphqlRuntime.ts).
const { getVariableValues } = graphql;

export interface CostModel {
  weights: Readonly<Record<string, number>>;
  upstreamCalls: Readonly<Record<string, UpstreamCalls>>;
  callPoints: number;
  /**
   * Every argument name the estimator or a rule of upstreamCalls reads (the estimator reads
   * `first`). A model with rules of its own and no list here is never cached.
   */
  costArguments?: readonly string[];
}

export const DEFAULT_COST_MODEL: CostModel = {
  weights: FIELD_WEIGHTS,
  upstreamCalls: UPSTREAM_CALLS,
  callPoints: CALL_POINTS,
  costArguments: COST_ARGUMENTS,
};

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

/** Costs kept per document (Apollo's document store hands the same parsed document to every repeat). */
const PER_DOCUMENT = 64;

interface DocumentCosts {
  schema: GraphQLSchema;
  /** The variables the cost can depend on, by name, sorted. */
  relevant: string[];
  costs: Map<string, number>;
}

function variablesIn(value: ValueNode, into: Set<string>): void {
  if (value.kind === Kind.VARIABLE) into.add(value.name.value);
  else if (value.kind === Kind.LIST) for (const v of value.values) variablesIn(v, into);
  else if (value.kind === Kind.OBJECT) for (const f of value.fields) variablesIn(f.value, into);
}

/** The variables used in a cost argument of any field, or in any directive's argument. */
function relevantVariables(document: DocumentNode, costArguments: readonly string[]): string[] {
  const names = new Set<string>();
  visit(document, {
    Field(node) {
      for (const arg of node.arguments ?? []) if (arg.name.value === 'first' || costArguments.includes(arg.name.value)) variablesIn(arg.value, names);
    },
    Directive(node) {
      for (const arg of node.arguments ?? []) variablesIn(arg.value, names);
    },
  });
  return [...names].sort();
}

export type CostFunction = (
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
) => number | undefined;

/** operationCost for one model, remembering each document's costs (see the top of this file). */
export function cachedOperationCost(model: Partial<CostModel> = {}): CostFunction {
  const full: CostModel = { ...DEFAULT_COST_MODEL, ...model };
  const { costArguments } = full;
  if ((model.upstreamCalls && !model.costArguments) || !costArguments) return (...args) => computeCost(...args, full);
  const byDocument = new WeakMap<DocumentNode, DocumentCosts>();
  return (schema, document, variables, operationName) => {
    let entry = byDocument.get(document);
    if (!entry || entry.schema !== schema) {
      entry = { schema, relevant: relevantVariables(document, costArguments), costs: new Map() };
      byDocument.set(document, entry);
    }
    const values = variables ?? {};
    // A variable left out (its default applies) and one given as null differ, so absent names are left out.
    const relevant = Object.fromEntries(entry.relevant.filter((name) => name in values).map((name) => [name, values[name]]));
    const key = `${operationName ?? ''}\0${JSON.stringify(relevant)}`;
    const known = entry.costs.get(key);
    if (known !== undefined) {
      // The same cost, but only for variables that coerce, as getComplexity would have checked.
      const operation = getOperationAST(document, operationName ?? undefined);
      if (!operation || getVariableValues(schema, operation.variableDefinitions ?? [], values).errors) return undefined;
      return known;
    }
    const cost = computeCost(schema, document, variables, operationName, full);
    // Invalid variables are not remembered: other values of the irrelevant ones may coerce.
    if (cost !== undefined) {
      if (entry.costs.size >= PER_DOCUMENT) entry.costs.clear();
      entry.costs.set(key, cost);
    }
    return cost;
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
  return computeCost(schema, document, variables, operationName, { ...DEFAULT_COST_MODEL, ...model });
}

function computeCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  full: CostModel,
): number | undefined {
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
