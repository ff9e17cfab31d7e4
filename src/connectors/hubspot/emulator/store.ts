// In-memory contact records and the way HubSpot projects them into API objects.
import type { SeedCustomer } from '../../../demo/seed.ts';
import type { PropertyProblem } from './errors.ts';

export interface HistoryEntry {
  value: string;
  timestamp: string;
  sourceType: string;
}

export interface ContactRecord {
  id: string;
  /** Every value is a string, as HubSpot stores them; unset properties are absent. */
  properties: Record<string, string>;
  history: Record<string, HistoryEntry[]>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

/** HubSpot's own contact properties; requesting others silently returns nothing, like HubSpot. */
export const KNOWN_PROPERTIES = new Set([
  'email',
  'firstname',
  'lastname',
  'company',
  'lifecyclestage',
  'phone',
  'jobtitle',
  'website',
  'city',
  'country',
  'createdate',
  'lastmodifieddate',
  'hs_object_id',
]);
const READ_ONLY = new Set(['createdate', 'lastmodifieddate', 'hs_object_id']);
// Returned by GET/search/batch when the caller names no properties (HubSpot's contact defaults).
const DEFAULT_PROPERTIES = ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'];
// Always added to an explicit property list.
const ALWAYS = ['createdate', 'lastmodifieddate', 'hs_object_id'];
/** A custom property as the properties API defines it (POST /crm/v3/properties/contacts). */
export interface PropertyDefinition {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  createdAt: string;
}

/** Custom properties the demo portal has, as an admin set it up for Switchyard (CRM_TOTAL_PAID_PROPERTY's default). */
export const DEMO_CUSTOM_PROPERTIES: Omit<PropertyDefinition, 'createdAt'>[] = [
  { name: 'switchyard_total_paid', label: 'Total paid (Switchyard)', type: 'string', fieldType: 'text', groupName: 'contactinformation' },
];

export const LIFECYCLE_STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class ContactStore {
  private byId = new Map<string, ContactRecord>();
  private nextId = 1;
  private readonly customers: SeedCustomer[];
  // The portal's schema, not its records: kept across reset(), as a real portal keeps its property definitions.
  private readonly custom = new Map<string, PropertyDefinition>();
  /** Whether the portal defines this property (HubSpot's own, or a custom one). */
  readonly known = (name: string): boolean => KNOWN_PROPERTIES.has(name) || this.custom.has(name);

  constructor(customers: SeedCustomer[], customProperties: Omit<PropertyDefinition, 'createdAt'>[] = DEMO_CUSTOM_PROPERTIES) {
    this.customers = customers;
    for (const p of customProperties) this.defineProperty(p);
    this.reset();
  }

  /** Defines a custom property; false when one of that name exists (HubSpot's 409). */
  defineProperty(p: Omit<PropertyDefinition, 'createdAt'>): boolean {
    if (this.known(p.name)) return false;
    this.custom.set(p.name, { ...p, createdAt: new Date().toISOString() });
    return true;
  }

  property(name: string): PropertyDefinition | undefined {
    return this.custom.get(name);
  }

  reset(): void {
    this.byId.clear();
    for (const c of this.customers) {
      const at = new Date(c.created * 1000).toISOString();
      this.insert(c.crmId, at, 'CRM_UI', {
        email: c.email,
        firstname: c.firstName,
        lastname: c.lastName,
        company: c.company,
        lifecyclestage: c.lifecycleStage,
      });
    }
    const ids = [...this.byId.keys()].map(Number).filter(Number.isFinite);
    // New contacts get ids clearly apart from the seed, as a real portal's would be.
    this.nextId = Math.max(100_000, ...ids) + 1;
  }

  snapshot(): { contacts: ContactRecord[]; nextId: number; properties: PropertyDefinition[] } {
    return { contacts: [...this.byId.values()], nextId: this.nextId, properties: [...this.custom.values()] };
  }

  restore(state: { contacts: ContactRecord[]; nextId: number; properties?: PropertyDefinition[] }): void {
    this.byId.clear();
    for (const c of state.contacts) this.byId.set(c.id, c);
    this.nextId = state.nextId;
    for (const p of state.properties ?? []) this.custom.set(p.name, p);
  }

  /** Live (not archived) contacts in id order. */
  all(archived = false): ContactRecord[] {
    return [...this.byId.values()].filter((c) => c.archived === archived).sort((a, b) => Number(a.id) - Number(b.id));
  }

  get(id: string): ContactRecord | undefined {
    const c = this.byId.get(id);
    return c && !c.archived ? c : undefined;
  }

  /** Looks up by id, or by another unique property (HubSpot's `idProperty`). */
  find(key: string, idProperty?: string): ContactRecord | undefined {
    if (!idProperty || idProperty === 'hs_object_id') return this.get(key);
    if (idProperty !== 'email') return undefined;
    return this.findByEmail(key);
  }

  findByEmail(email: string): ContactRecord | undefined {
    const wanted = email.toLowerCase();
    return this.all().find((c) => c.properties.email?.toLowerCase() === wanted);
  }

  create(props: Record<string, string | null>): ContactRecord {
    return this.insert(String(this.nextId++), new Date().toISOString(), 'API', props);
  }

  update(c: ContactRecord, props: Record<string, string | null>): ContactRecord {
    const now = new Date().toISOString();
    for (const [k, v] of Object.entries(props)) setProperty(c, k, v, now, 'API');
    c.updatedAt = now;
    c.properties.lastmodifieddate = now;
    return c;
  }

  archive(c: ContactRecord): void {
    c.archived = true;
    c.archivedAt = new Date().toISOString();
  }

  private insert(id: string, at: string, source: string, props: Record<string, string | null>): ContactRecord {
    const c: ContactRecord = { id, properties: {}, history: {}, createdAt: at, updatedAt: at, archived: false };
    for (const [k, v] of Object.entries(props)) setProperty(c, k, v, at, source);
    c.properties.createdate = at;
    c.properties.lastmodifieddate = at;
    c.properties.hs_object_id = id;
    this.byId.set(id, c);
    return c;
  }
}

function setProperty(c: ContactRecord, name: string, value: string | null, at: string, sourceType: string): void {
  // HubSpot treats an empty string as "clear the value".
  if (value === null || value === '') delete c.properties[name];
  else c.properties[name] = value;
  (c.history[name] ??= []).unshift({ value: value ?? '', timestamp: at, sourceType });
}

/** Checks writable input the way HubSpot does; returns normalised string values or the problems. */
export function validateProperties(
  input: unknown,
  known: (name: string) => boolean = (n) => KNOWN_PROPERTIES.has(n),
): { props: Record<string, string | null>; problems: PropertyProblem[] } {
  const props: Record<string, string | null> = {};
  const problems: PropertyProblem[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { props, problems };
  for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
    const value = raw === null || raw === undefined ? null : String(raw);
    if (!known(name)) {
      problems.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
    } else if (READ_ONLY.has(name)) {
      problems.push({ name, error: 'READ_ONLY_VALUE', message: `${name} is a read only property; its value cannot be set.` });
    } else if (name === 'email' && value && !EMAIL.test(value)) {
      problems.push({ name, error: 'INVALID_EMAIL', message: `Email address ${value} is invalid` });
    } else if (name === 'lifecyclestage' && value && !LIFECYCLE_STAGES.includes(value)) {
      problems.push({ name, error: 'INVALID_OPTION', message: `${value} was not one of the allowed options: [${LIFECYCLE_STAGES.join(', ')}]` });
    } else {
      props[name] = value;
    }
  }
  return { props, problems };
}

/** `properties=a,b` and `properties=a&properties=b` both occur in the wild. */
export function propertyList(raw: unknown): string[] | undefined {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const names = items
    .flatMap((s) => String(s).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length ? names : undefined;
}

export function toApiObject(
  c: ContactRecord,
  requested?: string[],
  withHistory?: string[],
  known: (name: string) => boolean = (n) => KNOWN_PROPERTIES.has(n),
): Record<string, unknown> {
  const names = requested ? [...new Set([...requested, ...ALWAYS])] : DEFAULT_PROPERTIES;
  const properties: Record<string, string | null> = {};
  for (const name of names) {
    // Known-but-unset properties come back as null; unknown names are dropped.
    if (known(name)) properties[name] = c.properties[name] ?? null;
  }
  const out: Record<string, unknown> = { id: c.id, properties, createdAt: c.createdAt, updatedAt: c.updatedAt, archived: c.archived };
  if (c.archivedAt) out.archivedAt = c.archivedAt;
  if (withHistory?.length) {
    out.propertiesWithHistory = Object.fromEntries(withHistory.filter(known).map((n) => [n, c.history[n] ?? []]));
  }
  return out;
}
