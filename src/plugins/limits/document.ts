// The first gate, run on the parsed document before graphql-js validation: its size, depth and
// aliases. It must come first because validation itself is the target of hostile documents
// (10 000 aliases take graphql-js validation ~100 ms here), and it must stop validation rather
// than add one more error to it.
//
// Hand-written rather than @escape.tech/graphql-armor's max-depth and max-aliases rules: those
// either throw (which Apollo Server 5 turns into a 500 "Internal server error") or report and let
// the rest of validation run on the document they just refused. This walk is one pass over the
// document, memoised per fragment, and bounded in recursion.
import { Kind, type DocumentNode, type SelectionSetNode, type ValidationRule } from 'graphql';
import { limitExceeded } from '../../errors/index.ts';
import type { LimitsOptions } from './options.ts';
import { countTokens } from './source.ts';

export interface DocumentMeasure {
  /** Deepest field nesting of any operation; Infinity when past what the walk follows. */
  depth: number;
  /** Aliases, each fragment counted once per spread. */
  aliases: number;
}

// Deeper than any depth limit can be (config caps it at 100): past it the walk stops descending,
// so a pathological document cannot exhaust the stack.
const MAX_WALK = 1_000;

export function measureDocument(doc: DocumentNode): DocumentMeasure {
  const fragments = new Map(doc.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const memo = new Map<string, DocumentMeasure>();
  const open = new Set<string>();
  let frames = 0;

  const ofFragment = (name: string): DocumentMeasure => {
    const known = memo.get(name);
    if (known) return known;
    const def = fragments.get(name);
    // Unknown or cyclic spreads are validation's to report; they add nothing here.
    if (!def || open.has(name)) return { depth: 0, aliases: 0 };
    open.add(name);
    const m = ofSelectionSet(def.selectionSet);
    open.delete(name);
    memo.set(name, m);
    return m;
  };

  const ofSelectionSet = (set: SelectionSetNode): DocumentMeasure => {
    if (frames >= MAX_WALK) return { depth: Infinity, aliases: 0 };
    frames++;
    let depth = 0;
    let aliases = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) aliases++;
        // Introspection (__schema, __type) nests deeply by design; it is off in production.
        if (sel.name.value.startsWith('__')) continue;
        const child = sel.selectionSet ? ofSelectionSet(sel.selectionSet) : { depth: 0, aliases: 0 };
        depth = Math.max(depth, 1 + child.depth);
        aliases += child.aliases;
      } else {
        const child = sel.kind === Kind.INLINE_FRAGMENT ? ofSelectionSet(sel.selectionSet) : ofFragment(sel.name.value);
        depth = Math.max(depth, child.depth);
        aliases += child.aliases;
      }
    }
    frames--;
    return { depth, aliases };
  };

  let depth = 0;
  let aliases = 0;
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    const m = ofSelectionSet(d.selectionSet);
    depth = Math.max(depth, m.depth);
    aliases = Math.max(aliases, m.aliases);
  }
  return { depth, aliases };
}

export function documentLimitsRule(limits: Pick<LimitsOptions, 'maxDepth' | 'maxAliases' | 'maxDocumentBytes' | 'maxTokens'>): ValidationRule {
  return (context) => ({
    Document: {
      enter(doc) {
        const body = doc.loc?.source.body;
        const bytes = body === undefined ? 0 : Buffer.byteLength(body);
        // The parser counted every token but comments (source.ts): here they count too.
        const tokens = bytes > limits.maxDocumentBytes ? 0 : countTokens(doc);
        let error;
        if (bytes > limits.maxDocumentBytes) error = limitExceeded('documentSize', limits.maxDocumentBytes, bytes);
        else if (tokens > limits.maxTokens) error = limitExceeded('tokens', limits.maxTokens, tokens);
        else {
          const m = measureDocument(doc);
          if (m.depth > limits.maxDepth) error = limitExceeded('depth', limits.maxDepth, Number.isFinite(m.depth) ? m.depth : undefined);
          else if (m.aliases > limits.maxAliases) error = limitExceeded('aliases', limits.maxAliases, m.aliases);
        }
        if (!error) return undefined;
        context.reportError(error);
        // A visitor returning a non-node removes that node from the traversal; for the Document
        // that ends validation here, so no other rule runs on the refused document.
        return null;
      },
    },
  });
}
