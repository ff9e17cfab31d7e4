// Alerts reach a local Slack-compatible webhook receiver once per condition: one outage of Stripe
// (many failing calls, the circuit opening, calls failing fast) is one "circuit OPEN" message and
// one "circuit CLOSED" when it recovers; expired HubSpot credentials are one upstream_auth alert
// and one error_rate alert however many calls fail. Each alert is in the audit trail too.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startObserved, type Observed } from '../helpers/observed.ts';
import { FaultController } from '../../src/emulators/faults.ts';

interface Received {
  text: string;
  blocks: unknown[];
}

async function receiver(): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push(JSON.parse(body) as Received);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/T000/B000`, got, server };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('alerts', () => {
  let hook: Awaited<ReturnType<typeof receiver>>;
  let dir: string;
  let o: Observed;

  beforeAll(async () => {
    hook = await receiver();
    dir = mkdtempSync(path.join(tmpdir(), 'sy-alerts-'));
    const policy = path.join(dir, 'policy.json');
    // One attempt per call and a short cool-down, so the outage takes a second, not a minute.
    writeFileSync(policy, JSON.stringify({ stripe: { maxAttempts: 1, breaker: { halfOpenAfterMs: 300 } }, hubspot: { maxAttempts: 1 } }));
    o = await startObserved('pglite', { env: { ALERT_WEBHOOK_URL: hook.url, POLICY_FILE: policy, ALERT_ERROR_RATE: '0.5', ALERT_ERROR_RATE_MIN_CALLS: '5' } });
  });

  afterAll(async () => {
    await o?.stop();
    hook?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends one alert when Stripe goes down and one when it is back, not one per failure', async () => {
    o.emulators.stripe.faults.set(FaultController.parse({ status: 503 }));
    const codes: unknown[] = [];
    for (let i = 10; i < 22; i++) {
      const res = await o.run(`{ payment(id: "pi_demo00${i}01") { id } }`);
      codes.push(res.errors?.[0]?.extensions?.reason ?? res.errors?.[0]?.extensions?.code);
    }
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('UPSTREAM_UNAVAILABLE'));
    expect(codes.slice(5)).toEqual(Array(7).fill('circuit_open'));
    await settle(400);
    const stripe = () => hook.got.filter((m) => m.text.includes('stripe'));
    expect(stripe().filter((m) => m.text.includes('circuit OPEN'))).toHaveLength(1);

    o.emulators.stripe.faults.clear();
    const ok = await o.run('{ payment(id: "pi_demo000101") { id } }');
    expect(ok.errors).toBeUndefined();
    for (let i = 0; i < 3; i++) await o.run('{ payment(id: "pi_demo000201") { id } }');
    await settle(300);
    const circuit = stripe().filter((m) => m.text.includes('circuit'));
    expect(circuit.map((m) => m.text.match(/circuit (OPEN|CLOSED)/)![1])).toEqual(['OPEN', 'CLOSED']);
    expect(circuit[0]!.blocks).toHaveLength(2); // Slack's section and context blocks
    // 5 failures in 5 calls also crossed the error-rate threshold: one alert for that too.
    expect(stripe().filter((m) => m.text.includes('error rate high'))).toHaveLength(1);
  });

  it('sends one auth alert and one error-rate alert for many calls with expired credentials', async () => {
    o.emulators.hubspot.faults.set(FaultController.parse({ status: 401 }));
    for (let i = 1; i <= 8; i++) expect((await o.run(`{ crmContact(id: "${1000 + i}") { id } }`)).errors?.[0]?.extensions?.code).toBe('UPSTREAM_AUTH_FAILED');
    o.emulators.hubspot.faults.clear();
    expect((await o.run('{ crmContact(id: "1009") { id } }')).errors).toBeUndefined();
    await settle(300);
    const hubspot = hook.got.filter((m) => m.text.includes('hubspot')).map((m) => m.text);
    expect(hubspot).toHaveLength(3);
    expect(hubspot[0]).toContain("hubspot refused Switchyard's credentials");
    expect(hubspot[1]).toContain('hubspot error rate high: 100% of 5 calls');
    expect(hubspot[2]).toMatch(/resolved: hubspot accepts Switchyard's credentials again/);
  });

  it('writes each alert to the audit trail', async () => {
    await o.flush();
    const alerts = (await o.rows()).filter((r) => r.record.kind === 'alert').map((r) => `${r.record.alert!.condition}:${r.record.alert!.connector}:${r.record.outcome}`);
    expect(alerts).toEqual(['circuit:stripe:firing', 'error_rate:stripe:firing', 'circuit:stripe:resolved', 'upstream_auth:hubspot:firing', 'error_rate:hubspot:firing', 'upstream_auth:hubspot:resolved']);
    expect(hook.got).toHaveLength(alerts.length);
  });
});
