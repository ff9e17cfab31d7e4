// Names the argument behind a validation error on a literal, e.g. `input.email` for
// createCustomer(input: { email: "nope" }). graphql-js reports such errors with only a source
// position, so the document is walked once to find the value at that position; this runs only
// on the error path.
import { Kind, parse, visit, type ASTNode, type GraphQLError } from 'graphql';

const VALUE_KINDS = new Set<string>([
  Kind.STRING,
  Kind.INT,
  Kind.FLOAT,
  Kind.BOOLEAN,
  Kind.ENUM,
  Kind.NULL,
  Kind.LIST,
  Kind.OBJECT,
  Kind.OBJECT_FIELD,
  Kind.VARIABLE,
]);

/** The dotted argument path of the literal the error points at, or undefined when it is not one. */
export function literalInputField(error: GraphQLError): string | undefined {
  const position = error.positions?.[0];
  const body = error.source?.body;
  if (position === undefined || !body) return undefined;
  let found: string | undefined;
  const names: string[] = [];
  const named = (node: ASTNode) => node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD;
  try {
    visit(parse(body), {
      enter(node) {
        if (found !== undefined) return false;
        if (named(node)) names.push((node as { name: { value: string } }).name.value);
        if (VALUE_KINDS.has(node.kind) && node.loc?.start === position && names.length > 0) found = names.join('.');
        return undefined;
      },
      leave(node) {
        if (named(node)) names.pop();
      },
    });
  } catch {
    return undefined;
  }
  return found;
}
