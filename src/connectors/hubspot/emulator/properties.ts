// CRM v3 contact property definitions: HubSpot refuses a write to a property the portal does not
// define (400, PROPERTY_DOESNT_EXIST), so a custom one (Switchyard's total paid) is created first
// through this API, or in the portal's settings.
import type { EmuRequest, EmuResponse, Route } from '../../../emulators/http.ts';
import { fail, parseJson, validationError } from './errors.ts';
import type { ContactStore, PropertyDefinition } from './store.ts';

const BASE = '/crm/v3/properties/contacts';
const NAME = /^[a-z][a-z0-9_]{0,99}$/;
const TYPES = new Set(['string', 'number', 'date', 'datetime', 'enumeration', 'bool']);

const toApi = (p: PropertyDefinition) => ({
  name: p.name,
  label: p.label,
  type: p.type,
  fieldType: p.fieldType,
  groupName: p.groupName,
  createdAt: p.createdAt,
  updatedAt: p.createdAt,
  hidden: false,
  hasUniqueValue: false,
  formField: true,
  calculated: false,
  externalOptions: false,
  archived: false,
  options: [],
  modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
});

export function propertyRoutes(store: ContactStore): Route[] {
  const create = (req: EmuRequest): EmuResponse => {
    const parsed = parseJson(req);
    if (!parsed.ok) return parsed.error;
    const b = parsed.value;
    const missing = ['name', 'label', 'type', 'fieldType', 'groupName'].filter((k) => typeof b[k] !== 'string' || !b[k]);
    if (missing.length) return validationError(`Some required fields were not set: [${missing.join(', ')}]`);
    const p = { name: String(b.name), label: String(b.label), type: String(b.type), fieldType: String(b.fieldType), groupName: String(b.groupName) };
    if (!NAME.test(p.name)) return validationError(`Property name ${p.name} is not valid: use lower-case letters, digits and underscores`);
    if (!TYPES.has(p.type)) return validationError(`${p.type} is not a valid property type`);
    if (!store.defineProperty(p)) return fail(409, 'CONFLICT', `A property named '${p.name}' already exists.`);
    return { status: 201, body: toApi(store.property(p.name)!) };
  };
  const get = (req: EmuRequest): EmuResponse => {
    const p = store.property(req.params.name!);
    return p ? { status: 200, body: toApi(p) } : fail(404, 'OBJECT_NOT_FOUND', `Unable to find property with name ${req.params.name}`);
  };
  return [
    { method: 'POST', pattern: BASE, handler: create },
    { method: 'GET', pattern: `${BASE}/:name`, handler: get },
  ];
}
