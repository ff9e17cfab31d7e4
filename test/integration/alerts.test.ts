// Alerts reach the notification connector's emulator once per condition, on both transports
// (Slack-style and signed Standard Webhooks): one outage of Stripe (many failing calls, the
// circuit opening, calls failing fast) is one "circuit OPEN" message and one "circuit CLOSED"
// when it recovers; expired HubSpot credentials are one upstream_auth alert and one error_rate
// alert however many calls fail, delivered in order even while the receiver answers 503. Each
// alert is in the audit trail too, and no delivery ever joins a request's record or time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startObserved, type Observed } from '../helpers/observed.ts';
import { FaultController } from '../../src/emulators/faults.ts';
import type { Delivery } from '../../src/connectors/notify/index.ts';

interface Slack {
  text: string;
  blocks: unknown[];
}
interface Signed {
  type: string;
  data: { title: string; dedupeKey: string; details: Record<string, unknown> };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('alerts', () => {
  let dir: string;
  let o: Observed;

  const deliveries = async (): Promise<Delivery[]> =>
    ((await (await fetch(`${o.emulators.notify.url}/__control/deliveries`)).json()) as { deliveries: Delivery[] }).deliveries;
  const slack = async () => (await deliveries()).filter((d) => d.kind === 'slack').map((d) => d.body as Slack);
  const signed = async () => (await deliveries()).filter((d) => d.kind === 'webhook').map((d) => d.body as Signed);
  /** Deliveries leave off the request path, with retries: wait until `n` have arrived on each transport. */
  const arrived = async (n: number, timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const all = await deliveries();
      if (all.filter((d) => d.kind === 'slack').length >= n && all.filter((d) => d.kind === 'webhook').length >= n) return;
      await sleep(50);
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sy-alerts-'));
    const policy = path.join(dir, 'policy.json');
    // One attempt per call and a cool-down of a few seconds (not a minute), longer than the 12 calls
    // below take even on a loaded machine, so none of them is let through as a half-open trial.
    // Notifications keep their own retries (the default backoff), with a deadline longer than the slow-receiver case.
    writeFileSync(
      policy,
      JSON.stringify({ stripe: { maxAttempts: 1, breaker: { halfOpenAfterMs: 4_000 } }, hubspot: { maxAttempts: 1 }, notify: { timeoutMs: 10_000 } }),
    );
    // DEMO=true (the helper's default): both transports deliver to the notify emulator.
    o = await startObserved('pglite', { env: { POLICY_FILE: policy, ALERT_ERROR_RATE: '0.5', ALERT_ERROR_RATE_MIN_CALLS: '5' } });
  });

  afterAll(async () => {
    await o?.stop();
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
    await arrived(2);
    const stripe = async () => (await slack()).filter((m) => m.text.includes('stripe'));
    expect((await stripe()).filter((m) => m.text.includes('circuit OPEN'))).toHaveLength(1);

    o.emulators.stripe.faults.clear();
    // Fails fast until the cool-down ends; then the trial call succeeds and closes the circuit.
    const until = Date.now() + 30_000;
    let ok = await o.run('{ payment(id: "pi_demo000101") { id } }');
    while (ok.errors && ok.errors[0]?.extensions?.reason === 'circuit_open' && Date.now() < until) {
      await sleep(250);
      ok = await o.run('{ payment(id: "pi_demo000101") { id } }');
    }
    expect(ok.errors).toBeUndefined();
    for (let i = 0; i < 3; i++) await o.run('{ payment(id: "pi_demo000201") { id } }');
    await arrived(3);
    const circuit = (await stripe()).filter((m) => m.text.includes('circuit'));
    expect(circuit.map((m) => m.text.match(/circuit (OPEN|CLOSED)/)![1])).toEqual(['OPEN', 'CLOSED']);
    expect(circuit[0]!.blocks).toHaveLength(2); // Slack's section and context blocks
    // 5 failures in 5 calls also crossed the error-rate threshold: one alert for that too.
    expect((await stripe()).filter((m) => m.text.includes('error rate high'))).toHaveLength(1);
    // The signed webhook got the same alerts; a firing and its resolution share a dedupeKey.
    expect((await signed()).map((b) => `${b.type} ${b.data.dedupeKey}`)).toEqual([
      'alert.firing circuit:stripe:',
      'alert.firing error_rate:stripe:',
      'alert.resolved circuit:stripe:',
    ]);
  });

  it('sends one auth alert and one error-rate alert for many calls with expired credentials, in order while the receiver answers 503 twice', async () => {
    o.emulators.notify.resetStats();
    o.emulators.notify.faults.set(FaultController.parse({ status: 503, count: 2 }));
    o.emulators.hubspot.faults.set(FaultController.parse({ status: 401 }));
    for (let i = 1; i <= 8; i++) expect((await o.run(`{ crmContact(id: "${1000 + i}") { id } }`)).errors?.[0]?.extensions?.code).toBe('UPSTREAM_AUTH_FAILED');
    o.emulators.hubspot.faults.clear();
    expect((await o.run('{ crmContact(id: "1009") { id } }')).errors).toBeUndefined();
    await arrived(6);
    const hubspot = (await slack()).filter((m) => m.text.includes('hubspot')).map((m) => m.text);
    expect(hubspot).toHaveLength(3);
    expect(hubspot[0]).toContain("hubspot refused Switchyard's credentials");
    expect(hubspot[1]).toContain('hubspot error rate high: 100% of 5 calls');
    expect(hubspot[2]).toMatch(/resolved: hubspot accepts Switchyard's credentials again/);
    const hooks = (await signed()).filter((b) => b.data.details.connector === 'hubspot').map((b) => `${b.type} ${b.data.dedupeKey}`);
    expect(hooks).toEqual(['alert.firing upstream_auth:hubspot:', 'alert.firing error_rate:hubspot:', 'alert.resolved upstream_auth:hubspot:']);
    // Six deliveries, each once, and the two 503s that were retried.
    expect(o.emulators.notify.stats().total).toBe(8);
  });

  it('never makes a request wait for a delivery, and a slow receiver still gets firing before resolved', async () => {
    const before = (await deliveries()).length;
    o.emulators.notify.faults.set(FaultController.parse({ latencyMs: 3_000, count: 2 }));
    o.emulators.openai.faults.set(FaultController.parse({ drift: true }));
    const started = performance.now();
    const drifted = await o.run('mutation { complete(input: { prompt: "Hello" }) { text } }');
    const elapsed = performance.now() - started;
    console.info(`[alerts] the request that raised an alert answered in ${elapsed.toFixed(0)} ms; the receiver takes 3000 ms`);
    expect(drifted.errors?.[0]?.extensions?.code).toBe('UPSTREAM_CONTRACT_CHANGED');
    expect((await deliveries()).length).toBe(before);
    expect(elapsed).toBeLessThan(3_000);
    o.emulators.openai.faults.clear();
    expect((await o.run('mutation { complete(input: { prompt: "Hello" }) { text } }')).errors).toBeUndefined();
    await arrived(8);
    const openai = (await signed()).filter((b) => b.data.details.connector === 'openai').map((b) => b.type);
    expect(openai).toEqual(['alert.firing', 'alert.resolved']);
    expect((await slack()).filter((m) => m.text.includes('openai')).map((m) => /^\S+ Switchyard (alert|resolved)/.exec(m.text)![1])).toEqual([
      'alert',
      'resolved',
    ]);
  });

  it("writes each alert to the audit trail, and no delivery to any request's record", async () => {
    await o.flush();
    const rows = await o.rows();
    const alerts = rows.filter((r) => r.record.kind === 'alert').map((r) => `${r.record.alert!.condition}:${r.record.alert!.connector}:${r.record.outcome}`);
    expect(alerts).toEqual([
      'circuit:stripe:firing',
      'error_rate:stripe:firing',
      'circuit:stripe:resolved',
      'upstream_auth:hubspot:firing',
      'error_rate:hubspot:firing',
      'upstream_auth:hubspot:resolved',
      'contract:openai:firing',
      'contract:openai:resolved',
    ]);
    expect(await slack()).toHaveLength(alerts.length);
    expect(await signed()).toHaveLength(alerts.length);
    const connectors = new Set(rows.flatMap((r) => r.record.calls.map((c) => c.connector)));
    expect([...connectors].sort()).toEqual(['hubspot', 'openai', 'stripe']);
  });
});
