// CRM v3 contact endpoints: basic CRUD, paged list and batch read.
import type { EmuRequest, EmuResponse, Route } from '../../../emulators/http.ts';
import type { HubspotEvents } from './events.ts';
import { fail, parseJson, propertyValidationError, validationError } from './errors.ts';
import { ContactStore, propertyList, toApiObject, validateProperties, type ContactRecord } from './store.ts';

const BASE = '/crm/v3/objects/contacts';
const BATCH_MAX = 100;
// HubSpot caps batch reads that ask for property history at a lower size.
const BATCH_HISTORY_MAX = 50;

function notFound(id: string): EmuResponse {
  // HubSpot's wording differs for ids that cannot be object ids at all.
  const message = /^\d+$/.test(id) ? 'resource not found' : 'Object not found.  objectId are usually numeric.';
  return fail(404, 'OBJECT_NOT_FOUND', message);
}

function conflict(existing: ContactRecord): EmuResponse {
  return fail(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`);
}

function origin(req: EmuRequest): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}

function intParam(raw: string | null, name: string, fallback: number, max: number): number | EmuResponse {
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) return validationError(`${name} must be an integer between 1 and ${max}, got '${raw}'`);
  return n;
}

/** The contact routes; `events` hears of every creation, change and archive they make. */
export function contactRoutes(store: ContactStore, events?: HubspotEvents): Route[] {
  const getById = (req: EmuRequest): EmuResponse => {
    const id = req.params.id!;
    const contact = store.find(id, req.query.get('idProperty') ?? undefined);
    if (!contact) return notFound(id);
    const props = propertyList(req.query.getAll('properties'));
    const history = propertyList(req.query.getAll('propertiesWithHistory'));
    return { status: 200, body: toApiObject(contact, props, history, store.known) };
  };

  const list = (req: EmuRequest): EmuResponse => {
    const limit = intParam(req.query.get('limit'), 'limit', 10, 100);
    if (typeof limit !== 'number') return limit;
    const archived = req.query.get('archived') === 'true';
    const props = propertyList(req.query.getAll('properties'));
    const history = propertyList(req.query.getAll('propertiesWithHistory'));
    const after = Number(req.query.get('after') ?? 0);
    // `after` is the id of the first contact of the next page, as HubSpot's cursor is.
    const rest = store.all(archived).filter((c) => Number(c.id) >= after);
    const page = rest.slice(0, limit);
    const body: Record<string, unknown> = { results: page.map((c) => toApiObject(c, props, history, store.known)) };
    const next = rest[limit];
    if (next) {
      const qs = new URLSearchParams(req.query);
      qs.set('after', next.id);
      body.paging = { next: { after: next.id, link: `${origin(req)}${BASE}?${qs.toString()}` } };
    }
    return { status: 200, body };
  };

  const create = (req: EmuRequest): EmuResponse => {
    const parsed = parseJson(req);
    if (!parsed.ok) return parsed.error;
    const input = parsed.value.properties;
    if (typeof input !== 'object' || input === null) return validationError('Some required fields were not set: [properties]');
    const { props, problems } = validateProperties(input, store.known);
    if (problems.length) return propertyValidationError(problems);
    const existing = props.email ? store.findByEmail(props.email) : undefined;
    if (existing) return conflict(existing);
    const contact = store.create(props);
    events?.created(contact);
    return { status: 201, body: toApiObject(contact, Object.keys(contact.properties), undefined, store.known) };
  };

  const update = (req: EmuRequest): EmuResponse => {
    const id = req.params.id!;
    const contact = store.find(id, req.query.get('idProperty') ?? undefined);
    if (!contact) return notFound(id);
    const parsed = parseJson(req);
    if (!parsed.ok) return parsed.error;
    if (typeof parsed.value.properties !== 'object' || parsed.value.properties === null) {
      return validationError('Some required fields were not set: [properties]');
    }
    const { props, problems } = validateProperties(parsed.value.properties, store.known);
    if (problems.length) return propertyValidationError(problems);
    const clash = props.email ? store.findByEmail(props.email) : undefined;
    if (clash && clash.id !== contact.id) return conflict(clash);
    const before = Object.fromEntries(Object.keys(props).map((k) => [k, contact.properties[k]]));
    store.update(contact, props);
    events?.changed(contact, before);
    return { status: 200, body: toApiObject(contact, Object.keys(contact.properties), undefined, store.known) };
  };

  const archive = (req: EmuRequest): EmuResponse => {
    // Archiving is idempotent in HubSpot: an unknown or already archived id still answers 204.
    const contact = store.get(req.params.id!);
    if (contact) {
      store.archive(contact);
      events?.archived(contact);
    }
    return { status: 204, body: null };
  };

  const batchRead = (req: EmuRequest): EmuResponse => {
    const startedAt = new Date().toISOString();
    const parsed = parseJson(req);
    if (!parsed.ok) return parsed.error;
    const body = parsed.value;
    if (!Array.isArray(body.inputs)) return validationError('Some required fields were not set: [inputs]');
    const history = propertyList(body.propertiesWithHistory);
    const max = history ? BATCH_HISTORY_MAX : BATCH_MAX;
    if (body.inputs.length > max) {
      const message = history
        ? `The maximum number of inputs supported in a batch request for property histories is ${BATCH_HISTORY_MAX}. Please reduce the number of items and try again`
        : `The maximum number of inputs supported in a batch request is ${BATCH_MAX}. Please reduce the number of items and try again`;
      return validationError(message, { context: { inputs: [String(body.inputs.length)] } });
    }
    const idProperty = typeof body.idProperty === 'string' ? body.idProperty : undefined;
    const props = propertyList(body.properties);
    const ids = [...new Set(body.inputs.map((i: unknown) => String((i as { id?: unknown } | null)?.id ?? '')))];
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const contact = store.find(id, idProperty);
      if (contact) results.push(toApiObject(contact, props, history, store.known));
      else missing.push(id);
    }
    const out: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
    if (!missing.length) return { status: 200, body: out };
    out.numErrors = 1;
    out.errors = [
      {
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        message: 'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
        context: { ids: missing },
      },
    ];
    return { status: 207, body: out };
  };

  return [
    { method: 'GET', pattern: BASE, handler: list },
    { method: 'POST', pattern: BASE, handler: create },
    { method: 'POST', pattern: `${BASE}/batch/read`, handler: batchRead },
    { method: 'GET', pattern: `${BASE}/:id`, handler: getById },
    { method: 'PATCH', pattern: `${BASE}/:id`, handler: update },
    { method: 'DELETE', pattern: `${BASE}/:id`, handler: archive },
  ];
}
