// List endpoints: newest first (created desc, ties by id desc) with Stripe's cursor pagination.
import { invalid, noSuch } from './errors.ts';
import { int, isObject, str, type ParamObject } from './form.ts';

export interface Listable {
  id: string;
  created: number;
}

export function newestFirst(a: Listable, b: Listable): number {
  return b.created - a.created || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

export function parseLimit(p: ParamObject): number {
  const limit = int(p, 'limit') ?? 10;
  if (limit < 1) throw invalid('This value must be greater than or equal to 1.', 'limit');
  if (limit > 100) throw invalid('This value must be less than or equal to 100.', 'limit');
  return limit;
}

/** `created=ts` or `created[gt|gte|lt|lte]=ts`. */
export function createdFilter(p: ParamObject): (o: Listable) => boolean {
  const v = p.created;
  if (v === undefined) return () => true;
  if (typeof v === 'string') {
    const at = int(p, 'created')!;
    return (o) => o.created === at;
  }
  if (!isObject(v)) throw invalid('Invalid created', 'created');
  const bound = (k: string) => int(v, k, `created[${k}]`);
  const gt = bound('gt'),
    gte = bound('gte'),
    lt = bound('lt'),
    lte = bound('lte');
  for (const k of Object.keys(v)) {
    if (!['gt', 'gte', 'lt', 'lte'].includes(k)) throw invalid(`Received unknown parameter: created[${k}]`, `created[${k}]`, 'parameter_unknown');
  }
  return (o) =>
    (gt === undefined || o.created > gt) &&
    (gte === undefined || o.created >= gte) &&
    (lt === undefined || o.created < lt) &&
    (lte === undefined || o.created <= lte);
}

export interface ListOptions<T> {
  url: string;
  /** Finds the cursor object among all objects of the type, filtered out or not. */
  find: (id: string) => T | undefined;
  noun: string;
}

export interface ListBody<T> {
  object: 'list';
  url: string;
  has_more: boolean;
  data: T[];
}

export function listPage<T extends Listable>(items: T[], p: ParamObject, opts: ListOptions<T>): ListBody<T> {
  const limit = parseLimit(p);
  const after = str(p, 'starting_after');
  const before = str(p, 'ending_before');
  if (after && before) throw invalid('You may only specify one of these parameters: ending_before, starting_after.');
  const sorted = items.filter(createdFilter(p)).sort(newestFirst);

  const cursorId = after || before;
  if (!cursorId) {
    return { object: 'list', url: opts.url, has_more: sorted.length > limit, data: sorted.slice(0, limit) };
  }
  const cursor = opts.find(cursorId);
  if (!cursor) throw noSuch(opts.noun, cursorId, after ? 'starting_after' : 'ending_before');
  if (after) {
    const rest = sorted.filter((o) => newestFirst(cursor, o) < 0);
    return { object: 'list', url: opts.url, has_more: rest.length > limit, data: rest.slice(0, limit) };
  }
  // ending_before: the `limit` objects just newer than the cursor, still in newest-first order.
  const newer = sorted.filter((o) => newestFirst(o, cursor) < 0);
  return { object: 'list', url: opts.url, has_more: newer.length > limit, data: newer.slice(-limit) };
}
