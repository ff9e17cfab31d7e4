// startEmulators(): every provider (and the notification receiver) up at once, over the same seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EMULATOR_PORTS, startEmulators, type RunningEmulators } from '../../src/emulators/index.ts';
import { seedCustomers } from '../../src/demo/seed.ts';

describe('startEmulators', () => {
  let emus: RunningEmulators;
  const seven = seedCustomers(7)[6]!;

  beforeAll(async () => {
    emus = await startEmulators({ customers: 50 });
  });
  afterAll(() => emus.stop());

  it('exposes the CLI default ports', () => {
    expect(DEFAULT_EMULATOR_PORTS).toEqual({ stripe: 12111, hubspot: 12121, openai: 12131, anthropic: 12141 });
  });

  it('starts all five on distinct local ports', () => {
    const urls = Object.values(emus.urls);
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set(urls).size).toBe(5);
    expect([emus.stripe.name, emus.hubspot.name, emus.openai.name, emus.anthropic.name, emus.notify.name]).toEqual([
      'stripe',
      'hubspot',
      'openai',
      'anthropic',
      'notify',
    ]);
  });

  it('serves the same seed customer from Stripe and HubSpot', async () => {
    const stripe = await fetch(`${emus.urls.stripe}/v1/customers/${seven.paymentsId}`, {
      headers: { authorization: 'Bearer sk_test_demo' },
    });
    expect(stripe.status).toBe(200);
    const customer = (await stripe.json()) as { id: string; email: string };
    const hubspot = await fetch(`${emus.urls.hubspot}/crm/v3/objects/contacts/${seven.crmId}?properties=email`, {
      headers: { authorization: 'Bearer demo' },
    });
    expect(hubspot.status).toBe(200);
    const contact = (await hubspot.json()) as { properties: { email: string } };
    expect(customer.id).toBe(seven.paymentsId);
    expect(customer.email).toBe(seven.email);
    expect(contact.properties.email).toBe(customer.email);

    const models = await fetch(`${emus.urls.openai}/v1/models`, { headers: { authorization: 'Bearer demo' } });
    expect(models.status).toBe(200);
  });

  it('counts requests per route and resets data, stats and faults', async () => {
    const { hubspot, urls } = emus;
    await fetch(`${urls.hubspot}/__control/reset`, { method: 'POST' });
    const headers = { authorization: 'Bearer demo', 'content-type': 'application/json' };
    const created = await fetch(`${urls.hubspot}/crm/v3/objects/contacts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ properties: { email: 'temp@example.com' } }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const stats = (await (await fetch(`${urls.hubspot}/__control/stats`)).json()) as { total: number; byRoute: Record<string, number> };
    expect(stats.total).toBe(1);
    expect(stats.byRoute['POST /crm/v3/objects/contacts']).toBe(1);
    expect(hubspot.stats().total).toBe(1);

    await fetch(`${urls.hubspot}/__control/faults`, { method: 'POST', body: JSON.stringify({ status: 503 }) });
    expect((await fetch(`${urls.hubspot}/crm/v3/objects/contacts/${id}`, { headers })).status).toBe(503);

    await fetch(`${urls.hubspot}/__control/reset`, { method: 'POST' });
    expect(hubspot.stats().total).toBe(0);
    // Back to the seed: the created contact is gone and the fault is cleared.
    expect((await fetch(`${urls.hubspot}/crm/v3/objects/contacts/${id}`, { headers })).status).toBe(404);
    expect((await fetch(`${urls.hubspot}/crm/v3/objects/contacts/${seven.crmId}`, { headers })).status).toBe(200);
  });

  it('fails cleanly when a port is taken', async () => {
    const port = Number(new URL(emus.urls.openai).port);
    await expect(startEmulators({ customers: 5, ports: { openai: port } })).rejects.toThrow(/EADDRINUSE/);
  });
});
