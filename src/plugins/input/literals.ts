// Literals written in the document (`createPayment(input: { amount: -5 })`) are checked by
// graphql-js's ValuesOfCorrectTypeRule, which reports GRAPHQL_VALIDATION_FAILED and, when a
// scalar throws its own error, no position at all. This rule runs that same rule first, in a
// walk of its own that tracks where each value sits (argument, input fields, list indexes), and
// reports each refusal as BAD_USER_INPUT naming that field. It then ends validation, as the
// limits rule does, so the built-in rule does not report the same values a second time.
import type { ASTNode, ASTVisitor, DocumentNode, GraphQLError, GraphQLSchema, ValidationRule } from 'graphql';
import { ErrorCode } from '../../errors/codes.ts';
import { graphql } from '../../graphqlRuntime.ts';
import { cutMessage, fieldPath } from './path.ts';

// The graphql-js instance Apollo runs on: TypeInfo checks the schema's own type objects.
const {
  Kind,
  TypeInfo,
  ValidationContext,
  ValuesOfCorrectTypeRule,
  getNamedType,
  isInputObjectType,
  isRequiredInputField,
  visit,
  visitInParallel,
  visitWithTypeInfo,
} = graphql;

const named = (node: ASTNode): string | undefined => {
  if (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) return node.name.value;
  if (node.kind === Kind.VARIABLE_DEFINITION) return node.variable.name.value;
  return undefined;
};

/** Each literal the built-in rule refuses, as BAD_USER_INPUT with its field. */
export function literalErrors(schema: GraphQLSchema, document: DocumentNode): GraphQLError[] {
  const found: GraphQLError[] = [];
  const path: (string | number)[] = [];
  const typeInfo = new TypeInfo(schema);
  let current: ASTNode | undefined;
  let atCurrent = 0;

  const refuse = (error: GraphQLError) => {
    const field = [...path];
    // An object missing required fields gets one error per field, in the type's field order:
    // the n-th error at this object names the n-th missing field rather than the object.
    const type = getNamedType(typeInfo.getInputType());
    if (current?.kind === Kind.OBJECT && isInputObjectType(type)) {
      const given = new Set(current.fields.map((f) => f.name.value));
      const missing = Object.values(type.getFields()).filter((f) => isRequiredInputField(f) && !given.has(f.name));
      const name = missing[atCurrent]?.name;
      if (name) field.push(name);
    }
    atCurrent++;
    found.push(
      new graphql.GraphQLError(cutMessage(error.message), {
        nodes: error.nodes ?? current,
        extensions: { code: ErrorCode.BAD_USER_INPUT, field: fieldPath(field) },
      }),
    );
  };

  // List items are pushed by index; `ancestors` ends with the ListValue whose `values` holds them.
  const listItem = (key: unknown, ancestors: readonly unknown[]) => typeof key === 'number' && (ancestors.at(-1) as ASTNode | undefined)?.kind === Kind.LIST;
  const tracker: ASTVisitor = {
    enter(node, key, _parent, _path, ancestors) {
      current = node;
      atCurrent = 0;
      const name = named(node);
      if (name !== undefined) path.push(name);
      else if (listItem(key, ancestors)) path.push(key as number);
    },
    leave(node, key, _parent, _path, ancestors) {
      if (named(node) !== undefined || listItem(key, ancestors)) path.pop();
    },
  };
  const context = new ValidationContext(schema, document, typeInfo, refuse);
  visit(document, visitWithTypeInfo(typeInfo, visitInParallel([tracker, ValuesOfCorrectTypeRule(context)])));
  return found;
}

export function literalInputRule(): ValidationRule {
  return (context) => ({
    Document: {
      enter(document) {
        const errors = literalErrors(context.getSchema(), document);
        if (errors.length === 0) return undefined;
        for (const error of errors) context.reportError(error);
        // A visitor returning a non-node removes the Document from the traversal: validation ends.
        return null;
      },
    },
  });
}
