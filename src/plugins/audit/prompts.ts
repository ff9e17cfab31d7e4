// Which variables of an operation carry AI prompt text, found from where the document uses them
// rather than from their names: `complete(input: { prompt: $p })` makes `$p` prompt text, and
// `complete(input: $input)` makes `$input.prompt` and `$input.messages` prompt text. The answer
// depends only on the document, so it is remembered per document hash.
import type { GraphQLInputObjectType, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { graphql } from '../../graphqlRuntime.ts';

// The graphql-js instance Apollo runs on: its schema objects fail the realm checks of a second copy.
const { TypeInfo, getNamedType, isInputObjectType, visit, visitWithTypeInfo } = graphql;

/** Input fields whose values are prompt text, as `Type.field` (schema/ai.graphql). */
export const AI_PROMPT_FIELDS = new Set(['CompleteInput.prompt', 'CompleteInput.messages', 'AiMessageInput.content']);

export interface PromptPositions {
  /** Variables used directly as a prompt field's value: redacted whole. */
  whole: Set<string>;
  /** Variables of an input object type (or a list of one): their values are walked with it. */
  typed: Map<string, GraphQLInputObjectType>;
}

const cache = new Map<string, PromptPositions>();
const CACHE_MAX = 1_000;

export function promptPositions(schema: GraphQLSchema, operation: OperationDefinitionNode, hash: string | undefined): PromptPositions {
  const key = hash ? `${hash}:${operation.name?.value ?? ''}` : undefined;
  const known = key ? cache.get(key) : undefined;
  if (known) return known;
  const found: PromptPositions = { whole: new Set(), typed: new Map() };
  const info = new TypeInfo(schema);
  visit(
    operation,
    visitWithTypeInfo(info, {
      ObjectField(node) {
        const parent = info.getParentInputType();
        const named = parent ? getNamedType(parent) : undefined;
        if (named && node.value.kind === 'Variable' && AI_PROMPT_FIELDS.has(`${named.name}.${node.name.value}`)) found.whole.add(node.value.name.value);
      },
      Variable(node) {
        const type = info.getInputType();
        const named = type ? getNamedType(type) : undefined;
        if (named && isInputObjectType(named)) found.typed.set(node.name.value, named);
      },
    }),
  );
  if (key) {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, found);
  }
  return found;
}

/** Whether a field of an input type holds prompt text, and the input type of its value otherwise. */
export function promptField(type: GraphQLInputObjectType, field: string): { prompt: boolean; type: GraphQLInputObjectType | undefined } {
  if (AI_PROMPT_FIELDS.has(`${type.name}.${field}`)) return { prompt: true, type: undefined };
  const def = type.getFields()[field];
  const named = def ? getNamedType(def.type) : undefined;
  return { prompt: false, type: named && isInputObjectType(named) ? named : undefined };
}
