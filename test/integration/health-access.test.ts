// /health/ready over HTTP: a caller without a credential (a load balancer, or anyone) gets the
// states only, never an upstream's error message, base URL, mode, quota or latency; a credential
// with ops:read gets the details; a credential without it, the states; a bad one, 401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/stack.ts';
import { startObserved, switchable, type Observed } from '../helpers/observed.ts';
import { FaultController } from '../../src/emulators/faults.ts';

describe.each(BACKENDS)('/health/ready access on %s', (backend) => {
  let o: Observed;
  let outage: ReturnType<typeof switchable>;

  beforeAll(async () => {
    o = await startObserved(backend, { env: { LOG_LEVEL: 'silent' }, wrapDb: (db) => (outage = switchable(db)).db });
    // HubSpot refuses our credentials once, so its status carries a last error with a message.
    o.emulators.hubspot.faults.set(FaultController.parse({ status: 401 }));
    await o.post({ query: '{ crmContact(id: "1002") { id } }' }, { 'x-api-key': o.keys.admin });
    o.emulators.hubspot.faults.clear();
  }, 180_000);

  afterAll(async () => {
    await o?.stop();
  });

  const ready = async (headers: Record<string, string> = {}) => {
    const res = await o.server.app.inject({ method: 'GET', url: '/health/ready', headers });
    return { status: res.statusCode, headers: res.headers, text: res.body, body: res.json() as Record<string, unknown> };
  };

  const STATES = {
    status: 'ready',
    store: { state: 'up' },
    shared: { redis: 'none' },
    connectors: [
      { name: 'stripe', state: 'unknown', circuit: 'closed' },
      { name: 'hubspot', state: 'failing', circuit: 'closed' },
      { name: 'openai', state: 'unknown', circuit: 'closed' },
    ],
  };

  it('gives anonymous callers and credentials without ops:read the states only', async () => {
    for (const headers of [{}, { 'x-api-key': o.keys.app }] as Record<string, string>[]) {
      const res = await ready(headers);
      expect(res.status).toBe(200);
      // The notifiers' states depend on whether the HubSpot failure's alert has been delivered yet.
      expect(res.body).toEqual({ ...STATES, connectors: expect.arrayContaining(STATES.connectors) });
      for (const c of res.body.connectors as Record<string, unknown>[]) expect(Object.keys(c).sort()).toEqual(['circuit', 'name', 'state']);
      expect(res.text).not.toContain(o.emulators.urls.hubspot);
      expect(res.text).not.toMatch(/baseUrl|lastError|message|quota|window|mode|kind/);
    }
  });

  it('gives a credential with ops:read the details: base URLs, modes, the last error, quotas, the window', async () => {
    const res = await ready({ 'x-api-key': o.keys.operator });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ready', store: { kind: backend, state: 'up' }, shared: { store: 'memory', redis: 'none' } });
    const hubspot = (res.body.connectors as Record<string, unknown>[]).find((c) => c.name === 'hubspot');
    expect(hubspot).toMatchObject({
      mode: 'demo',
      baseUrl: o.emulators.urls.hubspot,
      state: 'failing',
      lastError: { kind: 'auth', code: 'UPSTREAM_AUTH_FAILED' },
      window: { calls: 1 },
    });
    expect((hubspot!.lastError as { message: string }).message.length).toBeGreaterThan(0);
  });

  it('refuses a bad credential as /graphql does: 401, a challenge, a coded error and nothing else', async () => {
    const wrong = `${o.keys.operator.slice(0, -1)}${o.keys.operator.endsWith('0') ? '1' : '0'}`;
    const res = await ready({ 'x-api-key': wrong });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(res.body).toEqual({ errors: [{ message: 'The API key is not valid', extensions: { code: 'UNAUTHENTICATED', reason: 'invalid_api_key' } }] });
  });

  it('with the store down, says unready without its error, to anyone (the key cannot be checked then)', async () => {
    outage.down = true;
    try {
      for (const headers of [{}, { 'x-api-key': o.keys.operator }] as Record<string, string>[]) {
        const res = await ready(headers);
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ status: 'unready', store: { state: 'down' } });
        expect(res.text).not.toMatch(/ECONNREFUSED|5432|simulated/);
      }
    } finally {
      outage.down = false;
    }
  });
});
