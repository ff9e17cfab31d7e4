// The HubSpot emulator driven by the real @hubspot/api-client, so its shapes are the SDK's.
import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulators/http.ts';
import { createHubspotEmulator } from '../../src/connectors/hubspot/emulator/index.ts';
import { seedCustomers } from '../../src/demo/seed.ts';

const customers = seedCustomers(150);

interface ApiError {
  code: number;
  body: Record<string, unknown>;
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected the call to fail');
}

describe('HubSpot emulator with @hubspot/api-client', () => {
  let emu: Emulator;
  let url: string;
  let client: Client;

  beforeAll(async () => {
    emu = createHubspotEmulator({ customers });
    url = await emu.start();
    client = new Client({ accessToken: 'demo', basePath: url, numberOfApiCallRetries: 0 });
  });
  afterAll(() => emu.stop());
  beforeEach(async () => {
    await fetch(`${url}/__control/reset`, { method: 'POST' });
  });

  it('batch-reads seeded contacts with the requested properties', async () => {
    const wanted = customers.slice(0, 3);
    const res = await client.crm.contacts.batchApi.read({
      inputs: wanted.map((c) => ({ id: c.crmId })),
      properties: ['email', 'company'],
      propertiesWithHistory: [],
    });
    expect(res.status).toBe('COMPLETE');
    expect(res.results.map((r) => r.id).sort()).toEqual(wanted.map((c) => c.crmId).sort());
    const first = res.results.find((r) => r.id === wanted[0]!.crmId)!;
    expect(first.properties.email).toBe(wanted[0]!.email);
    expect(first.properties.company).toBe(wanted[0]!.company);
    expect(first.properties.hs_object_id).toBe(wanted[0]!.crmId);
    expect(first.properties).not.toHaveProperty('firstname');
    expect(first.createdAt).toBeInstanceOf(Date);
    expect(first.createdAt.getTime()).toBe(wanted[0]!.created * 1000);
  });

  it('batch-reads by email with idProperty', async () => {
    const c = customers[4]!;
    const res = await client.crm.contacts.batchApi.read({
      inputs: [{ id: c.email }],
      idProperty: 'email',
      properties: ['firstname'],
      propertiesWithHistory: [],
    });
    expect(res.results[0]!.id).toBe(c.crmId);
    expect(res.results[0]!.properties.firstname).toBe(c.firstName);
  });

  it('rejects more than 100 batch inputs with a VALIDATION_ERROR', async () => {
    const err = await failure(
      client.crm.contacts.batchApi.read({
        inputs: customers.slice(0, 101).map((c) => ({ id: c.crmId })),
        properties: ['email'],
        propertiesWithHistory: [],
      }),
    );
    expect(err.code).toBe(400);
    expect(err.body.category).toBe('VALIDATION_ERROR');
    expect(String(err.body.message)).toContain('100');
    expect(err.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 207 with OBJECT_NOT_FOUND errors when some ids are missing', async () => {
    const res = await client.crm.contacts.batchApi.read({
      inputs: [{ id: customers[0]!.crmId }, { id: '999999' }],
      properties: ['email'],
      propertiesWithHistory: [],
    });
    expect(res.results).toHaveLength(1);
    expect('numErrors' in res && res.numErrors).toBe(1);
    const errors = 'errors' in res ? res.errors! : [];
    expect(errors[0]!.category).toBe('OBJECT_NOT_FOUND');
    expect(errors[0]!.context).toEqual({ ids: ['999999'] });

    const raw = await fetch(`${url}/crm/v3/objects/contacts/batch/read`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo', 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ id: '999999' }], properties: [], propertiesWithHistory: [] }),
    });
    expect(raw.status).toBe(207);
  });

  it('gets one contact by id and by email, and 404s a missing one', async () => {
    const c = customers[9]!;
    const byId = await client.crm.contacts.basicApi.getById(c.crmId, ['lifecyclestage']);
    expect(byId.properties.lifecyclestage).toBe(c.lifecycleStage);
    const byEmail = await client.crm.contacts.basicApi.getById(c.email, undefined, undefined, undefined, false, 'email');
    expect(byEmail.id).toBe(c.crmId);
    expect(Object.keys(byEmail.properties).sort()).toEqual(['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname']);
    const err = await failure(client.crm.contacts.basicApi.getById('424242'));
    expect(err.code).toBe(404);
    expect(err.body.category).toBe('OBJECT_NOT_FOUND');
  });

  it('creates a contact and answers 409 CONFLICT for an existing email', async () => {
    const created = await client.crm.contacts.basicApi.create({
      properties: { email: 'new.person@example.com', firstname: 'New', lastname: 'Person' },
      associations: [],
    });
    expect(created.id).toMatch(/^\d+$/);
    expect(created.properties.email).toBe('new.person@example.com');
    const again = await client.crm.contacts.basicApi.getById(created.id, ['firstname']);
    expect(again.properties.firstname).toBe('New');

    const err = await failure(client.crm.contacts.basicApi.create({ properties: { email: customers[2]!.email }, associations: [] }));
    expect(err.code).toBe(409);
    expect(err.body.category).toBe('CONFLICT');
    expect(err.body.message).toBe(`Contact already exists. Existing ID: ${customers[2]!.crmId}`);

    const bad = await failure(client.crm.contacts.basicApi.create({ properties: { email: 'not-an-email' }, associations: [] }));
    expect(bad.code).toBe(400);
    expect(bad.body.category).toBe('VALIDATION_ERROR');
    expect(String(bad.body.message)).toContain('INVALID_EMAIL');
  });

  it('updates and archives a contact', async () => {
    const c = customers[11]!;
    const updated = await client.crm.contacts.basicApi.update(c.crmId, { properties: { company: 'Initech West' } });
    expect(updated.properties.company).toBe('Initech West');
    await client.crm.contacts.basicApi.archive(c.crmId);
    expect((await failure(client.crm.contacts.basicApi.getById(c.crmId))).code).toBe(404);
  });

  it('refuses a write to an undefined property until it is defined through the properties API', async () => {
    const c = customers[12]!;
    const refused = await failure(client.crm.contacts.basicApi.update(c.crmId, { properties: { loyalty_tier: 'gold' } }));
    expect(refused.code).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('PROPERTY_DOESNT_EXIST');
    expect((await failure(client.crm.properties.coreApi.getByName('contacts', 'loyalty_tier'))).code).toBe(404);
    const def = { name: 'loyalty_tier', label: 'Loyalty tier', type: 'string', fieldType: 'text', groupName: 'contactinformation' };
    const created = await client.crm.properties.coreApi.create('contacts', def as never);
    expect(created).toMatchObject({ name: 'loyalty_tier', type: 'string', fieldType: 'text' });
    expect((await failure(client.crm.properties.coreApi.create('contacts', def as never))).code).toBe(409);
    const updated = await client.crm.contacts.basicApi.update(c.crmId, { properties: { loyalty_tier: 'gold' } });
    expect(updated.properties.loyalty_tier).toBe('gold');
    const read = await client.crm.contacts.basicApi.getById(c.crmId, ['loyalty_tier']);
    expect(read.properties.loyalty_tier).toBe('gold');
    // The demo portal defines Switchyard's total-paid property, as an admin would have.
    expect((await client.crm.properties.coreApi.getByName('contacts', 'switchyard_total_paid')).type).toBe('string');
  });

  it('pages the contact list through the SDK', async () => {
    const first = await client.crm.contacts.basicApi.getPage(100, undefined, ['email']);
    expect(first.results).toHaveLength(100);
    const second = await client.crm.contacts.basicApi.getPage(100, first.paging!.next!.after, ['email']);
    expect(second.results).toHaveLength(50);
    expect(second.paging).toBeUndefined();
    expect(new Set([...first.results, ...second.results].map((r) => r.id)).size).toBe(150);
  });

  it('searches by email and pages a filtered search', async () => {
    const c = customers[20]!;
    const res = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ' as never, value: c.email.toUpperCase() }] }],
      properties: ['email', 'company'],
      limit: 10,
    });
    expect(res.total).toBe(1);
    expect(res.results[0]!.id).toBe(c.crmId);

    const company = customers[1]!.company;
    const expected = customers.filter((x) => x.company === company).length;
    const page = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'company', operator: 'EQ' as never, value: company }] }],
      limit: 5,
    });
    expect(page.total).toBe(expected);
    expect(page.results).toHaveLength(5);
    expect(page.paging?.next?.after).toBe('5');
  });

  it('answers 401 for a missing or expired token', async () => {
    const expired = new Client({ accessToken: 'expired', basePath: url, numberOfApiCallRetries: 0 });
    const err = await failure(expired.crm.contacts.basicApi.getById(customers[0]!.crmId));
    expect(err.code).toBe(401);
    // HubSpot's own category for a token that has run out.
    expect(err.body.category).toBe('EXPIRED_AUTHENTICATION');
    const res = await fetch(`${url}/crm/v3/objects/contacts/${customers[0]!.crmId}`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
    expect(String(body.message)).toMatch(/^Authentication credentials not found/);
  });

  it('sends the rate-limit headers on every response', async () => {
    const res = await fetch(`${url}/crm/v3/objects/contacts?limit=2`, { headers: { authorization: 'Bearer demo' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('190');
    expect(res.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    expect(res.headers.get('x-hubspot-ratelimit-remaining')).toBe('189');
    expect(res.headers.get('x-hubspot-ratelimit-daily')).toBe('650000');
    expect(res.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('649999');
    const body = (await res.json()) as { results: unknown[]; paging: { next: { after: string; link: string } } };
    expect(body.results).toHaveLength(2);
    expect(body.paging.next.link).toContain(`after=${body.paging.next.after}`);
  });

  it('drifts success bodies when told to', async () => {
    await fetch(`${url}/__control/faults`, { method: 'POST', body: JSON.stringify({ drift: true, count: 1 }) });
    const res = await fetch(`${url}/crm/v3/objects/contacts/${customers[0]!.crmId}`, { headers: { authorization: 'Bearer demo' } });
    const body = (await res.json()) as { properties: Record<string, unknown> };
    expect(body.properties).toHaveProperty('first_name');
    expect(body.properties).not.toHaveProperty('firstname');
  });
});

describe('HubSpot emulator rate limiting', () => {
  let emu: Emulator;
  let url: string;

  beforeAll(async () => {
    emu = createHubspotEmulator({ customers, rateLimit: { max: 5, intervalMs: 60_000 } });
    url = await emu.start();
  });
  afterAll(() => emu.stop());

  it('answers 429 TEN_SECONDLY_ROLLING after max requests in the window, until reset', async () => {
    const client = new Client({ accessToken: 'demo', basePath: url, numberOfApiCallRetries: 0 });
    const id = customers[0]!.crmId;
    for (let i = 0; i < 5; i++) await client.crm.contacts.basicApi.getById(id);
    const err = await failure(client.crm.contacts.basicApi.getById(id));
    expect(err.code).toBe(429);

    const res = await fetch(`${url}/crm/v3/objects/contacts/${id}`, { headers: { authorization: 'Bearer demo' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('5');
    expect(await res.json()).toMatchObject({
      status: 'error',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
      message: 'You have reached your ten_secondly_rolling limit.',
    });

    await fetch(`${url}/__control/reset`, { method: 'POST' });
    const after = await fetch(`${url}/crm/v3/objects/contacts/${id}`, { headers: { authorization: 'Bearer demo' } });
    expect(after.status).toBe(200);
    expect(after.headers.get('x-hubspot-ratelimit-remaining')).toBe('4');
  });

  it('limits the search endpoint to its own per-second window', async () => {
    await fetch(`${url}/__control/reset`, { method: 'POST' });
    const search = () =>
      fetch(`${url}/crm/v3/objects/contacts/search`, {
        method: 'POST',
        headers: { authorization: 'Bearer demo', 'content-type': 'application/json' },
        body: JSON.stringify({ limit: 1 }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await search()).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await (await search()).json()).toMatchObject({ policyName: 'SECONDLY', message: 'You have reached your secondly limit.' });
  });

  it('lets requests through again once the window has rolled on', async () => {
    const short = createHubspotEmulator({ customers, rateLimit: { max: 2, intervalMs: 200 } });
    const base = await short.start();
    try {
      const get = () => fetch(`${base}/crm/v3/objects/contacts/${customers[0]!.crmId}`, { headers: { authorization: 'Bearer demo' } });
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(429);
      await new Promise((r) => setTimeout(r, 250));
      expect((await get()).status).toBe(200);
    } finally {
      await short.stop();
    }
  });
});
