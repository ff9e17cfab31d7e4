// Variables are coerced here, before execution, with graphql-js's own coerceInputValue, so a
// refused value is reported with the path graphql-js hands its error callback, not one read
// back out of the message it builds (whose wording changes between versions). Execution then
// coerces the same values again and cannot fail on them.
import type { GraphQLError, GraphQLInputType, GraphQLSchema, OperationDefinitionNode, VariableDefinitionNode } from 'graphql';
import { ErrorCode } from '../../errors/codes.ts';
import { graphql } from '../../graphqlRuntime.ts';
import { cutMessage, fieldPath } from './path.ts';

// The graphql-js instance Apollo runs on, whose schema objects these functions check.
const { coerceInputValue, getNullableType, isInputObjectType, isInputType, isListType, isNonNullType, isRequiredInputField, typeFromAST } = graphql;

/** The input type at `path` inside a value of `type`. */
function typeAt(type: GraphQLInputType, path: readonly (string | number)[]): GraphQLInputType | undefined {
  let at: GraphQLInputType | undefined = type;
  for (const step of path) {
    const nullable: GraphQLInputType | undefined = at && getNullableType(at);
    if (typeof step === 'number') at = isListType(nullable) ? nullable.ofType : undefined;
    else at = isInputObjectType(nullable) ? nullable.getFields()[step]?.type : undefined;
  }
  return at;
}

/**
 * graphql-js reports a missing or unknown input field at the object, not the field. It reports
 * the missing required fields first, in the type's field order, then the unknown keys, so the
 * first of those names the field its first error at this object is about.
 */
function fieldOfObjectError(type: GraphQLInputType, path: readonly (string | number)[], value: unknown): string | undefined {
  const object = getNullableType(typeAt(type, path));
  if (!isInputObjectType(object) || typeof value !== 'object' || value === null) return undefined;
  const fields = object.getFields();
  const given = value as Record<string, unknown>;
  const missing = Object.values(fields).find((f) => isRequiredInputField(f) && given[f.name] === undefined);
  if (missing) return missing.name;
  for (const key in given) if (Object.hasOwn(given, key) && !fields[key]) return key;
  return undefined;
}

function refusal(def: VariableDefinitionNode, field: string, message: string): GraphQLError {
  return new graphql.GraphQLError(message, { nodes: def, extensions: { code: ErrorCode.BAD_USER_INPUT, field, http: { status: 400 } } });
}

/** The first variable of `operation` that does not coerce to its declared type, as BAD_USER_INPUT naming its field. */
export function variableError(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): GraphQLError | undefined {
  const given = variables ?? {};
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    const type = typeFromAST(schema, def.type);
    // An unknown or non-input type is a validation error, reported already.
    if (!type || !isInputType(type)) continue;
    if (!Object.hasOwn(given, name)) {
      if (isNonNullType(type) && !def.defaultValue) return refusal(def, name, `Variable "$${name}" of required type "${String(type)}" was not provided.`);
      continue;
    }
    if (given[name] === null && isNonNullType(type)) return refusal(def, name, `Variable "$${name}" of non-null type "${String(type)}" must not be null.`);
    let first: { path: readonly (string | number)[]; message: string } | undefined;
    coerceInputValue(given[name], type, (path, value, error) => {
      if (first) return;
      const inner = fieldOfObjectError(type, path, value);
      first = { path: inner === undefined ? path : [...path, inner], message: error.message };
    });
    if (first) {
      const field = fieldPath([name, ...first.path]);
      return refusal(def, field, `Variable "$${name}" got an invalid value${first.path.length ? ` at "${field}"` : ''}: ${cutMessage(first.message)}`);
    }
  }
  return undefined;
}
