// CrmConnector on HubSpot's CRM v3 REST API with plain fetch. Why not @hubspot/api-client: it
// takes no AbortSignal per call (the pipeline's deadline could not reach the socket), and it
// brings its own retry loop and Bottleneck limiter, which would make a second retry owner beside
// the pipeline. The test suite still drives the emulator with the official client to prove the
// wire format (test/integration/hubspot-emulator.test.ts).
import type { ConnectorMode } from '../domain/info.ts';
import type { CrmConnector, CrmContactRecord } from '../domain/crm.ts';
import type { Pipeline } from '../../pipeline/index.ts';
import { HubSpotHttpError, classifyHubSpotError } from './errors.ts';
import type { UpstreamError } from '../../errors/upstream.ts';
import { ArchivedSchema, BatchReadSchema, ListSchema, CONTACT_PROPERTIES, ContactSchema, SearchSchema, toContact } from './mapping.ts';

/** HubSpot's limit on inputs in one batch read. */
export const BATCH_READ_LIMIT = 100;

export interface HubSpotConnectorOptions {
  /** The instance's name: its breaker, quota and cache namespace. */
  name: string;
  accessToken: string;
  baseUrl: string;
  mode: ConnectorMode;
  pipeline: Pipeline;
}

export class HubSpotCrmConnector implements CrmConnector {
  readonly name: string;
  readonly contactIds = { pattern: /^[1-9]\d{0,19}$/, example: 'a numeric HubSpot id' };
  // HubSpot's default lifecycle stages, in their order (`other` last).
  readonly lifecycleStages = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'];
  readonly mode: ConnectorMode;
  readonly baseUrl: string;
  private readonly token: string;
  private readonly call: ReturnType<Pipeline['for']>;
  private readonly pipeline: Pipeline;

  constructor(options: HubSpotConnectorOptions) {
    this.name = options.name;
    this.pipeline = options.pipeline;
    this.mode = options.mode;
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
    this.token = options.accessToken;
    this.call = options.pipeline.for(this.name, (err, operation) => classifyHubSpotError(err, operation, this.name));
  }

  private async request(method: string, path: string, body: unknown, signal: AbortSignal): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      signal,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (a proxy's HTML page, a truncated body): left as text, so a success fails
      // response validation as a contract change and an error keeps its status.
    }
    // 207 Multi-Status is a batch answer with per-input errors (e.g. ids that do not exist).
    if (!res.ok) throw new HubSpotHttpError(res.status, json as HubSpotHttpError['body'], res.headers);
    return json;
  }

  async getContacts(ids: readonly string[]): Promise<(CrmContactRecord | null)[]> {
    const found = new Map<string, CrmContactRecord>();
    const groups: string[][] = [];
    for (let i = 0; i < ids.length; i += BATCH_READ_LIMIT) groups.push(ids.slice(i, i + BATCH_READ_LIMIT));
    await Promise.all(
      groups.map(async (group) => {
        const cache = { cacheKey: [...group].sort().join(','), tags: group.map((id) => `${this.name}:contact:${id}`) };
        const res = await this.call('contacts.batchRead', { idempotent: true, schema: BatchReadSchema, ...cache }, (signal) =>
          this.request(
            'POST',
            '/crm/v3/objects/contacts/batch/read',
            { inputs: group.map((id) => ({ id })), properties: CONTACT_PROPERTIES, propertiesWithHistory: [] },
            signal,
          ),
        );
        for (const c of res.results) found.set(c.id, toContact(c));
      }),
    );
    return ids.map((id) => found.get(id) ?? null);
  }

  async listContacts(after: string | null, limit: number): Promise<{ items: CrmContactRecord[]; next: string | null }> {
    const qs = new URLSearchParams({ limit: String(Math.min(100, Math.max(1, limit))), properties: CONTACT_PROPERTIES.join(',') });
    if (after) qs.set('after', after);
    const res = await this.call('contacts.list', { idempotent: true, schema: ListSchema }, (signal) =>
      this.request('GET', `/crm/v3/objects/contacts?${qs.toString()}`, undefined, signal),
    );
    return { items: res.results.map(toContact), next: res.paging?.next?.after ?? null };
  }

  async findByEmail(email: string): Promise<CrmContactRecord | null> {
    const res = await this.call('contacts.search', { idempotent: true, schema: SearchSchema }, (signal) =>
      this.request(
        'POST',
        '/crm/v3/objects/contacts/search',
        { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: email }] }], properties: CONTACT_PROPERTIES, limit: 1 },
        signal,
      ),
    );
    const first = res.results[0];
    return first ? toContact(first) : null;
  }

  async createContact(input: { email: string; firstName: string | null; lastName: string | null }): Promise<CrmContactRecord> {
    const properties: Record<string, string> = { email: input.email };
    if (input.firstName) properties.firstname = input.firstName;
    if (input.lastName) properties.lastname = input.lastName;
    // Not idempotent: HubSpot takes no idempotency key. A duplicate shows as 409 on the email,
    // which createCustomer resolves by linking the existing contact.
    const contact = await this.call('contacts.create', { idempotent: false, schema: ContactSchema }, (signal) =>
      this.request('POST', '/crm/v3/objects/contacts', { properties }, signal),
    );
    return toContact(contact);
  }

  async findOrCreateContact(input: {
    email: string;
    firstName: string | null;
    lastName: string | null;
  }): Promise<{ contact: CrmContactRecord; created: boolean }> {
    const found = await this.findByEmail(input.email);
    if (found) return { contact: found, created: false };
    try {
      return { contact: await this.createContact(input), created: true };
    } catch (err) {
      // HubSpot refuses a second contact with the same email with a 409 whose message names the
      // one it has ("Contact already exists. Existing ID: 123"): that is the contact to link.
      const existing = (err as UpstreamError).kind === 'conflict' ? /Existing ID: (\d+)/.exec((err as Error).message)?.[1] : undefined;
      if (!existing) throw err;
      const contact = await this.readContact(existing);
      if (!contact) throw err;
      return { contact, created: false };
    }
  }

  async updateContact(
    id: string,
    changes: { email?: string; firstName?: string | null; lastName?: string | null; lifecycleStage?: string; properties?: Record<string, string> },
  ): Promise<CrmContactRecord> {
    const properties: Record<string, string> = { ...changes.properties };
    if (changes.lifecycleStage) properties.lifecyclestage = changes.lifecycleStage;
    if (changes.email !== undefined) properties.email = changes.email;
    // HubSpot clears a property set to the empty string.
    if (changes.firstName !== undefined) properties.firstname = changes.firstName ?? '';
    if (changes.lastName !== undefined) properties.lastname = changes.lastName ?? '';
    // Idempotent: every value is absolute, so a retry after a lost answer writes the same again.
    const contact = await this.call('contacts.update', { idempotent: true, schema: ContactSchema }, (signal) =>
      this.request('PATCH', `/crm/v3/objects/contacts/${encodeURIComponent(id)}`, { properties }, signal),
    );
    await this.pipeline.invalidate([`${this.name}:contact:${id}`]);
    return toContact(contact);
  }

  async deleteContact(id: string): Promise<void> {
    try {
      await this.call('contacts.archive', { idempotent: true, schema: ArchivedSchema }, (signal) =>
        this.request('DELETE', `/crm/v3/objects/contacts/${encodeURIComponent(id)}`, undefined, signal),
      );
    } catch (err) {
      if ((err as UpstreamError).kind !== 'not_found') throw err;
    }
    await this.pipeline.invalidate([`${this.name}:contact:${id}`]);
  }

  /** The contact as HubSpot has it now (an event said it changed): its cached reads are dropped first. */
  async readContact(id: string): Promise<CrmContactRecord | null> {
    await this.pipeline.invalidate([`${this.name}:contact:${id}`]);
    const [contact] = await this.getContacts([id]);
    return contact ?? null;
  }
}
