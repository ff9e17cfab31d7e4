// Permissions decided once per operation: for a principal whose every decision depends only on
// who it is and the arguments it sends (every role but `customer`, whose rules look at each
// record), the policies of all the fields an operation selects are checked before it runs, by the
// same decideForPrincipal() the shield rules call. When every one allows, the operation may run
// without the per-field shield middleware (a promise and a microtask per resolved field); when
// any refuses, or cannot be decided up front, it runs under the shield as always, which then
// reports each refusal on its own field as before. Deny by default holds either way: a field
// without a policy is never allowed here.
import {
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isAbstractType,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from 'graphql';
import type { Principal } from '../auth/principal.ts';
import { POLICIES } from './index.ts';
import { decideForPrincipal } from './rules.ts';

/** One field the document selects, with the object types it may be selected on. */
interface Selected {
  types: readonly string[];
  field: string;
  def: GraphQLField<unknown, unknown>;
  node: FieldNode;
}

interface Plan {
  /** Null when some field cannot be decided up front (unknown to the schema): the shield decides. */
  fields: Selected[] | null;
  variables: Map<string | undefined, readonly VariableDefinitionNode[]>;
}

// Apollo keeps one parsed DocumentNode per distinct query text (its document store), so the
// walk is done once per query, not per request; documents it evicts are collected with it.
const plans = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Plan>>();

function planOf(schema: GraphQLSchema, document: DocumentNode): Plan {
  let bySchema = plans.get(schema);
  if (!bySchema) plans.set(schema, (bySchema = new WeakMap()));
  const cached = bySchema.get(document);
  if (cached) return cached;
  const typeInfo = new TypeInfo(schema);
  let fields: Selected[] | null = [];
  const variables = new Map<string | undefined, readonly VariableDefinitionNode[]>();
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION) variables.set(d.name?.value, d.variableDefinitions ?? []);
  // Every field of every operation and fragment in the document: more than one operation runs,
  // never less, so a refusal elsewhere in the document only sends this one to the shield.
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        if (!fields || node.name.value.startsWith('__')) return;
        const parent = typeInfo.getParentType();
        const def = typeInfo.getFieldDef();
        if (!parent || !def) {
          fields = null;
          return;
        }
        const named = getNamedType(parent);
        // Introspection's own types (__Schema, __Type, ...) are answered by graphql itself, unshielded either way.
        if (named.name.startsWith('__')) return;
        const types = isAbstractType(named) ? schema.getPossibleTypes(named).map((t) => t.name) : isObjectType(named) ? [named.name] : [];
        fields.push({ types, field: node.name.value, def: def as GraphQLField<unknown, unknown>, node });
      },
    }),
  );
  const plan = { fields, variables };
  bySchema.set(document, plan);
  return plan;
}

/**
 * True when every field the operation selects is allowed to this principal by its policy alone;
 * false when the shield must decide (a customer, a refusal, variables that do not coerce, an
 * operation name the document lacks).
 */
export function allowedUpFront(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | undefined,
  principal: Principal,
): boolean {
  if (principal.role === 'customer' || principal.role === 'anonymous') return false;
  const plan = planOf(schema, document);
  if (!plan.fields) return false;
  const defs = operationName ? plan.variables.get(operationName) : plan.variables.size === 1 ? [...plan.variables.values()][0] : undefined;
  if (!defs) return false;
  const coerced = getVariableValues(schema, defs, rawVariables ?? {});
  if (coerced.errors) return false;
  for (const s of plan.fields) {
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(s.def, s.node, coerced.coerced);
    } catch {
      return false;
    }
    for (const type of s.types) {
      const policy = POLICIES[type]?.[s.field];
      if (!policy || decideForPrincipal(policy, `${type}.${s.field}`, args, principal) !== true) return false;
    }
  }
  return true;
}
