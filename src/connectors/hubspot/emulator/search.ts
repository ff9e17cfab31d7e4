// POST /crm/v3/objects/contacts/search: filter groups are OR-ed, filters inside a group
// AND-ed; string comparisons are case-insensitive, as in HubSpot.
import type { EmuRequest, EmuResponse, Route } from '../../../emulators/http.ts';
import { parseJson, validationError } from './errors.ts';
import { ContactStore, propertyList, toApiObject, type ContactRecord } from './store.ts';

// Documented limits of the CRM search API.
const MAX_LIMIT = 200;
const MAX_RESULTS = 10_000;
const MAX_GROUPS = 5;
const MAX_FILTERS_PER_GROUP = 6;
const MAX_FILTERS = 18;
const QUERY_PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'company'];
const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

interface Filter {
  propertyName: string;
  operator: string;
  value?: unknown;
  highValue?: unknown;
  values?: unknown[];
}

/** Numbers and dates (ISO or epoch ms) compare as numbers, everything else as lower-case text. */
function comparable(v: unknown): number | string {
  const s = String(v);
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  const t = Date.parse(s);
  return Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(s) ? s.toLowerCase() : t;
}

function compare(a: unknown, b: unknown): number {
  const x = comparable(a);
  const y = comparable(b);
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x).localeCompare(String(y));
}

function tokens(value: string): string[] {
  const lower = value.toLowerCase();
  return [lower, ...lower.split(/[^a-z0-9]+/).filter(Boolean)];
}

function containsToken(value: string, token: unknown): boolean {
  const wanted = String(token).toLowerCase();
  if (wanted.includes('*')) {
    const re = new RegExp(
      `^${wanted
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return tokens(value).some((t) => re.test(t));
  }
  // A multi-word token such as "example.com" matches where it sits on token boundaries.
  return tokens(value).includes(wanted) || (value.toLowerCase().includes(wanted) && /[^a-z0-9]/.test(wanted));
}

function matches(c: ContactRecord, f: Filter): boolean {
  const v = c.properties[f.propertyName];
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return v !== undefined;
    case 'NOT_HAS_PROPERTY':
      return v === undefined;
  }
  if (v === undefined) return f.operator === 'NEQ' || f.operator === 'NOT_IN' || f.operator === 'NOT_CONTAINS_TOKEN';
  switch (f.operator) {
    case 'EQ':
      return compare(v, f.value) === 0;
    case 'NEQ':
      return compare(v, f.value) !== 0;
    case 'LT':
      return compare(v, f.value) < 0;
    case 'LTE':
      return compare(v, f.value) <= 0;
    case 'GT':
      return compare(v, f.value) > 0;
    case 'GTE':
      return compare(v, f.value) >= 0;
    case 'BETWEEN':
      return compare(v, f.value) >= 0 && compare(v, f.highValue) <= 0;
    case 'IN':
      return (f.values ?? []).some((x) => compare(v, x) === 0);
    case 'NOT_IN':
      return !(f.values ?? []).some((x) => compare(v, x) === 0);
    case 'CONTAINS_TOKEN':
      return containsToken(v, f.value);
    case 'NOT_CONTAINS_TOKEN':
      return !containsToken(v, f.value);
    default:
      return false;
  }
}

function matchesQuery(c: ContactRecord, query: string): boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  const words = QUERY_PROPERTIES.flatMap((p) => (c.properties[p] ? tokens(c.properties[p]) : []));
  return terms.every((term) => words.some((w) => w.startsWith(term)));
}

function parseGroups(raw: unknown): Filter[][] | EmuResponse {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return validationError('Invalid input JSON: filterGroups must be an array');
  if (raw.length > MAX_GROUPS) return validationError(`Too many filter groups (${raw.length}); the maximum is ${MAX_GROUPS}`);
  const groups: Filter[][] = [];
  let total = 0;
  for (const g of raw as Array<{ filters?: unknown }>) {
    const filters = Array.isArray(g?.filters) ? (g.filters as Filter[]) : [];
    if (filters.length > MAX_FILTERS_PER_GROUP) {
      return validationError(`Too many filters in a group (${filters.length}); the maximum is ${MAX_FILTERS_PER_GROUP}`);
    }
    for (const f of filters) {
      if (typeof f?.propertyName !== 'string') return validationError('Some required fields were not set: [propertyName]');
      if (!OPERATORS.has(f.operator)) {
        return validationError(`Invalid input JSON: Cannot deserialize value of type FilterOperator from String "${String(f.operator)}"`);
      }
      if ((f.operator === 'IN' || f.operator === 'NOT_IN') && !Array.isArray(f.values)) {
        return validationError(`${f.operator} filter on ${f.propertyName} requires 'values'`);
      }
    }
    total += filters.length;
    groups.push(filters);
  }
  if (total > MAX_FILTERS) return validationError(`Too many filters (${total}); the maximum is ${MAX_FILTERS}`);
  return groups;
}

function sortKey(raw: unknown): { prop: string; desc: boolean } | undefined {
  const first: unknown = Array.isArray(raw) ? raw[0] : undefined;
  if (typeof first === 'string') return first.startsWith('-') ? { prop: first.slice(1), desc: true } : { prop: first, desc: false };
  if (first && typeof first === 'object' && 'propertyName' in first) {
    const s = first as { propertyName: string; direction?: string };
    return { prop: s.propertyName, desc: s.direction === 'DESCENDING' };
  }
  return undefined;
}

export function searchRoute(store: ContactStore): Route {
  const handler = (req: EmuRequest): EmuResponse => {
    const parsed = parseJson(req);
    if (!parsed.ok) return parsed.error;
    const body = parsed.value;
    const limit = body.limit === undefined ? 10 : Number(body.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return validationError(`limit must be an integer between 1 and ${MAX_LIMIT}`);
    }
    const offset = body.after === undefined || body.after === '' ? 0 : Number(body.after);
    if (!Number.isInteger(offset) || offset < 0) return validationError(`Invalid 'after' value: ${String(body.after)}`);
    if (offset + limit > MAX_RESULTS) {
      return validationError(`Paging beyond ${MAX_RESULTS} results is not supported by the search API`);
    }
    const groups = parseGroups(body.filterGroups);
    if (!Array.isArray(groups)) return groups;
    const query = typeof body.query === 'string' ? body.query : '';

    let hits = store.all().filter((c) => (groups.length === 0 || groups.some((g) => g.every((f) => matches(c, f)))) && (!query || matchesQuery(c, query)));
    const sort = sortKey(body.sorts);
    if (sort) {
      hits = [...hits].sort((a, b) => {
        const d = compare(a.properties[sort.prop] ?? '', b.properties[sort.prop] ?? '');
        return sort.desc ? -d : d;
      });
    }
    const props = propertyList(body.properties);
    const page = hits.slice(offset, offset + limit);
    const out: Record<string, unknown> = { total: hits.length, results: page.map((c) => toApiObject(c, props, undefined, store.known)) };
    // The search cursor is a plain offset; HubSpot sends no `link` for search pages.
    if (offset + limit < hits.length) out.paging = { next: { after: String(offset + limit) } };
    return { status: 200, body: out };
  };
  return { method: 'POST', pattern: '/crm/v3/objects/contacts/search', handler };
}
