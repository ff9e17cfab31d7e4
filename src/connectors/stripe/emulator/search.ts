// Stripe's search query language (the subset its customers and payment_intents endpoints take):
// `field:'v'`, `field~'sub'`, `amount>1000`, `-field:'v'`, `metadata['k']:'v'`, `field:null`,
// joined by spaces/AND or by OR (never both), at most 10 clauses.
import { invalid, missingParam } from './errors.ts';
import { str, type ParamObject } from './form.ts';
import { newestFirst, parseLimit, type Listable } from './pagination.ts';

type Op = ':' | '~' | '>' | '<' | '>=' | '<=';
type Value = string | number | null;

export interface SearchField<T> {
  /** string: exact match ignores case, `~` allowed; token: exact only; numeric: comparisons. */
  kind: 'string' | 'token' | 'numeric';
  get(o: T): string | number | null;
}

export interface SearchSpec<T> {
  resource: string;
  fields: Record<string, SearchField<T>>;
  metadata(o: T): Record<string, string>;
}

interface Clause {
  negate: boolean;
  field: string;
  metaKey?: string;
  op: Op;
  value: Value;
}

const MAX_CLAUSES = 10;
const syntax = (detail: string) =>
  invalid(`We were unable to parse your search query: ${detail}. See https://stripe.com/docs/search#search-query-language for the query syntax.`, 'query');

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  ws(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
    return this.pos > start;
  }

  done(): boolean {
    return this.pos >= this.text.length;
  }

  quoted(): string {
    const quote = this.text[this.pos]!;
    let out = '';
    for (this.pos++; this.pos < this.text.length; this.pos++) {
      const ch = this.text[this.pos]!;
      if (ch === '\\' && this.pos + 1 < this.text.length) out += this.text[++this.pos]!;
      else if (ch === quote) {
        this.pos++;
        return out;
      } else out += ch;
    }
    throw syntax(`unterminated string starting at position ${this.text.lastIndexOf(quote, this.pos)}`);
  }

  clause(): Clause {
    const negate = this.text[this.pos] === '-';
    if (negate) this.pos++;
    const field = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.text.slice(this.pos))?.[0];
    if (!field) throw syntax(`expected a field name at position ${this.pos}`);
    this.pos += field.length;
    let metaKey: string | undefined;
    if (field === 'metadata') {
      if (this.text[this.pos] !== '[' || !`'"`.includes(this.text[this.pos + 1] ?? '')) throw syntax(`expected ['key'] after metadata at position ${this.pos}`);
      this.pos++;
      metaKey = this.quoted();
      if (this.text[this.pos] !== ']') throw syntax(`expected ] at position ${this.pos}`);
      this.pos++;
    }
    const op = (['>=', '<=', ':', '~', '>', '<'] as const).find((o) => this.text.startsWith(o, this.pos));
    if (!op) throw syntax(`expected an operator (:, ~, >, <, >=, <=) at position ${this.pos}`);
    this.pos += op.length;
    let value: Value;
    if (`'"`.includes(this.text[this.pos] ?? 'x')) value = this.quoted();
    else {
      const bare = /^[^\s]+/.exec(this.text.slice(this.pos))?.[0] ?? '';
      this.pos += bare.length;
      if (bare === 'null') value = null;
      else if (/^-?\d+(\.\d+)?$/.test(bare)) value = Number(bare);
      else throw syntax(bare ? `string values must be quoted (${bare})` : `expected a value at position ${this.pos}`);
    }
    return { negate, field, ...(metaKey !== undefined ? { metaKey } : {}), op, value };
  }
}

export function parseQuery(query: string): { joiner: 'AND' | 'OR'; clauses: Clause[] } {
  const p = new Parser(query);
  const clauses: Clause[] = [];
  const joiners = new Set<'AND' | 'OR'>();
  p.ws();
  if (p.done()) throw syntax('the query is empty');
  for (;;) {
    clauses.push(p.clause());
    const spaced = p.ws();
    if (p.done()) break;
    if (!spaced) throw syntax(`unexpected character at position ${p.pos}`);
    const word = /^(AND|OR)(?=\s|$)/i.exec(query.slice(p.pos))?.[1];
    if (word) {
      joiners.add(word.toUpperCase() as 'AND' | 'OR');
      p.pos += word.length;
      p.ws();
      if (p.done()) throw syntax(`the query ends with ${word.toUpperCase()}`);
    } else joiners.add('AND');
  }
  if (joiners.size > 1) throw invalid('Search queries cannot combine AND and OR: use only one of them in a query.', 'query');
  if (clauses.length > MAX_CLAUSES) {
    throw invalid(`Search queries can have at most ${MAX_CLAUSES} clauses, but this query has ${clauses.length}.`, 'query');
  }
  return { joiner: joiners.has('OR') ? 'OR' : 'AND', clauses };
}

function matcher<T>(c: Clause, spec: SearchSpec<T>): (o: T) => boolean {
  const field: SearchField<T> | undefined =
    c.metaKey !== undefined ? { kind: 'string', get: (o) => spec.metadata(o)[c.metaKey!] ?? null } : spec.fields[c.field];
  if (!field) {
    throw invalid(
      `Field \`${c.field}\` is an unsupported search field for resource \`${spec.resource}\`. See http://stripe.com/docs/search#query-fields-for-${spec.resource.replace(/_/g, '-')} for a list of supported fields.`,
      'query',
    );
  }
  const unsupported = () =>
    invalid(`The operator \`${c.op}\` is not supported for field \`${c.metaKey !== undefined ? `metadata['${c.metaKey}']` : c.field}\`.`, 'query');
  if (c.value === null) {
    if (c.op !== ':') throw unsupported();
    return (o) => {
      const v = field.get(o);
      return v === null || v === '';
    };
  }
  if (field.kind === 'numeric') {
    const n = typeof c.value === 'number' ? c.value : Number(c.value);
    if (c.op === '~' || Number.isNaN(n)) throw c.op === '~' ? unsupported() : invalid(`The value for field \`${c.field}\` must be a number.`, 'query');
    const cmp = { ':': (a: number) => a === n, '>': (a: number) => a > n, '<': (a: number) => a < n, '>=': (a: number) => a >= n, '<=': (a: number) => a <= n }[
      c.op
    ];
    return (o) => {
      const v = field.get(o);
      return typeof v === 'number' && cmp(v);
    };
  }
  if (c.op !== ':' && !(c.op === '~' && field.kind === 'string' && c.metaKey === undefined)) throw unsupported();
  const want = String(c.value);
  if (c.op === '~') {
    if (want.length < 3) throw invalid('Substring matching (`~`) requires a value of at least 3 characters.', 'query');
    return (o) =>
      String(field.get(o) ?? '')
        .toLowerCase()
        .includes(want.toLowerCase());
  }
  if (field.kind === 'token') return (o) => field.get(o) === want;
  return (o) => String(field.get(o) ?? '').toLowerCase() === want.toLowerCase();
}

export function compileQuery<T>(query: string, spec: SearchSpec<T>): (o: T) => boolean {
  const { joiner, clauses } = parseQuery(query);
  const tests = clauses.map((c) => {
    const m = matcher(c, spec);
    return c.negate ? (o: T) => !m(o) : m;
  });
  return joiner === 'AND' ? (o) => tests.every((t) => t(o)) : (o) => tests.some((t) => t(o));
}

export interface SearchBody<T> {
  object: 'search_result';
  data: T[];
  has_more: boolean;
  next_page: string | null;
  url: string;
  total_count?: number;
}

// next_page is base64 of `[created, id]` of the last object returned, the shape Stripe's own
// tokens decode to; a cursor rather than an offset keeps pages stable while objects are added.
function encodePage(o: Listable): string {
  return Buffer.from(JSON.stringify([o.created, o.id])).toString('base64');
}

function decodePage(page: string): Listable {
  try {
    const v: unknown = JSON.parse(Buffer.from(page, 'base64').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return { created: v[0], id: v[1] };
  } catch {
    // fall through to the error below
  }
  throw invalid(`Invalid page: ${page}`, 'page');
}

/** `lagMs`: objects created that recently are not in the index yet (Stripe: searchable "in under 1 minute"). */
export function searchPage<T extends Listable>(items: T[], p: ParamObject, spec: SearchSpec<T>, url: string, withTotal: boolean, lagMs = 0): SearchBody<T> {
  const query = str(p, 'query');
  if (query === undefined) throw missingParam('query');
  const limit = parseLimit(p);
  const page = str(p, 'page');
  const test = compileQuery(query, spec);
  const indexedBefore = Date.now() - lagMs;
  const matches = items.filter((o) => (lagMs === 0 || o.created * 1000 <= indexedBefore) && test(o)).sort(newestFirst);
  const cursor = page ? decodePage(page) : undefined;
  const rest = cursor ? matches.filter((o) => newestFirst(cursor, o) < 0) : matches;
  const data = rest.slice(0, limit);
  const hasMore = rest.length > limit;
  return {
    object: 'search_result',
    data,
    has_more: hasMore,
    next_page: hasMore ? encodePage(data[data.length - 1]!) : null,
    url,
    ...(withTotal ? { total_count: matches.length } : {}),
  };
}
