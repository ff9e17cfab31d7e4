// The notification connector over real HTTP to its emulator, through the pipeline: Slack and
// Standard Webhooks deliveries, signatures the receiver verifies, retries for 5xx / 429 /
// timeouts / lost answers (one copy kept per webhook-id), no retry for any other 4xx, order
// kept under faults, a breaker per transport, and deliveries that stay out of the request.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instanceConfig, loadConfig, type Config } from '../../src/config.ts';
import { policyTable } from '../../src/connectors/index.ts';
import {
  createNotifiers,
  createNotifyEmulator,
  type Delivery,
  type Notifier,
  type NotifyConfig,
  type NotifyMessage,
  type Refusal,
} from '../../src/connectors/notify/index.ts';
import type { Emulator } from '../../src/emulators/http.ts';
import { FaultController } from '../../src/emulators/faults.ts';
import { UpstreamError } from '../../src/errors/upstream.ts';
import { Pipeline } from '../../src/pipeline/index.ts';
import { MemoryCacheStore } from '../../src/pipeline/cache/memory.ts';
import type { PolicyFile } from '../../src/pipeline/policies.ts';
import { newScope, runInScope } from '../../src/pipeline/scope.ts';

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;
const SLACK_PATH = '/services/T0TEST/B0TEST/token123';
const HOOK_PATH = '/webhooks/ops';

function message(n: number, extra: Partial<NotifyMessage> = {}): NotifyMessage {
  return {
    event: 'test.event',
    title: `Message ${n}`,
    text: `detail of message ${n}`,
    data: { n, connector: 'stripe' },
    severity: 'warning',
    dedupeKey: `k${n}`,
    ...extra,
  };
}

async function received(emu: Emulator): Promise<{ deliveries: Delivery[]; refusals: Refusal[] }> {
  return (await fetch(`${emu.url}/__control/deliveries`)).json() as Promise<{ deliveries: Delivery[]; refusals: Refusal[] }>;
}

/** The module's own factory from a parsed environment, on a pipeline of its own. */
function transports(env: Record<string, string>, policy: PolicyFile = {}): { pipeline: Pipeline; slack: Notifier; webhook: Notifier } {
  const config = loadConfig({ NODE_ENV: 'test', DEMO: 'auto', ...env });
  const pipeline = new Pipeline({ policies: policyTable(config.connectors, policy), cache: new MemoryCacheStore(1_000), logger: pino({ level: 'silent' }) });
  const list = createNotifiers(notifySettings(config), undefined, pipeline);
  return { pipeline, slack: list.find((n) => n.name === 'notify.slack')!, webhook: list.find((n) => n.name === 'notify.webhook')! };
}

function notifySettings(config: Config): NotifyConfig {
  return instanceConfig(config, 'notify')!.settings as NotifyConfig;
}

const reason = async (p: Promise<unknown>) =>
  p.then(
    () => 'delivered',
    (e: unknown) => (e instanceof UpstreamError ? e.kind : String(e)),
  );

describe('notification connector <-> notify emulator', () => {
  const key = secret();
  let emu: Emulator;
  let t: ReturnType<typeof transports>;

  beforeAll(async () => {
    emu = createNotifyEmulator({ webhookSecret: key });
    await emu.start();
    t = transports(
      { NOTIFY_SLACK_WEBHOOK_URL: `${emu.url}${SLACK_PATH}`, NOTIFY_WEBHOOK_URL: `${emu.url}${HOOK_PATH}`, NOTIFY_WEBHOOK_SECRET: key },
      { notify: { backoffMs: 50 } },
    );
  });
  afterAll(() => emu.stop());
  beforeEach(async () => {
    await fetch(`${emu.url}/__control/reset`, { method: 'POST' });
  });

  it('posts Slack text and blocks, with mrkdwn control characters escaped', async () => {
    await t.slack.notify(message(1, { title: 'Stripe <down> & out', severity: 'critical' }));
    const [d] = (await received(emu)).deliveries;
    expect(d).toMatchObject({ kind: 'slack', path: SLACK_PATH, id: null, attempts: 1 });
    const body = d!.body as { text: string; blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };
    expect(body.text).toBe(':rotating_light: Stripe &lt;down&gt; &amp; out');
    expect(body.blocks.map((b) => b.type)).toEqual(['section', 'section', 'context']);
    expect(body.blocks[1]!.text!.text).toBe('detail of message 1');
    expect(body.blocks[2]!.elements![0]!.text).toMatch(/^n `1` · connector `stripe` · \d{4}-\d\d-\d\dT/);
    expect(t.slack.baseUrl).toBe(emu.url); // the hook's secret path is never shown
  });

  it('signs a JSON webhook the way Standard Webhooks receivers verify it', async () => {
    await t.webhook.notify(message(2));
    const [d] = (await received(emu)).deliveries;
    expect(d).toMatchObject({ kind: 'webhook', path: HOOK_PATH, attempts: 1 });
    expect(d!.id).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(d!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(d!.body).toMatchObject({
      type: 'test.event',
      data: { title: 'Message 2', severity: 'warning', dedupeKey: 'k2', details: { n: 2, connector: 'stripe' } },
    });
    // Independently of the emulator: the raw bytes verify with the secret, and with no other.
    expect(new Webhook(key).verify(d!.rawBody, d!.headers)).toEqual(d!.body);
    expect(() => new Webhook(secret()).verify(d!.rawBody, d!.headers)).toThrow(/No matching signature/);
  });

  it('is refused by the receiver when signed with another secret, and does not retry that', async () => {
    const wrong = transports({ NOTIFY_WEBHOOK_URL: `${emu.url}${HOOK_PATH}`, NOTIFY_WEBHOOK_SECRET: secret() });
    emu.resetStats();
    expect(await reason(wrong.webhook.notify(message(3)))).toBe('auth');
    const got = await received(emu);
    expect(got.deliveries).toHaveLength(0);
    expect(got.refusals).toEqual([expect.objectContaining({ kind: 'webhook', status: 401, reason: 'signature: No matching signature found' })]);
    expect(emu.stats().total).toBe(1);
  });

  it('retries 503s and arrives once', async () => {
    emu.faults.set(FaultController.parse({ status: 503, count: 2 }));
    emu.resetStats();
    await t.webhook.notify(message(4));
    const got = await received(emu);
    expect(got.deliveries.map((d) => [d.body, d.attempts])).toEqual([[expect.objectContaining({ data: expect.objectContaining({ title: 'Message 4' }) }), 1]]);
    expect(emu.stats().total).toBe(3);
  });

  it('keeps one webhook-id across attempts, so a lost answer retried is one delivery to the receiver', async () => {
    emu.faults.set(FaultController.parse({ dropResponseRate: 1, count: 1 }));
    await t.webhook.notify(message(5));
    const got = await received(emu);
    expect(got.deliveries).toHaveLength(1);
    expect(got.deliveries[0]!.attempts).toBe(2);
  });

  it('derives the webhook-id from an idempotency key, so a message sent again is kept once', async () => {
    await t.webhook.notify({ ...message(6), idempotencyKey: 'wf-run-1-notify' });
    await t.webhook.notify({ ...message(6), idempotencyKey: 'wf-run-1-notify' });
    await t.webhook.notify({ ...message(6), idempotencyKey: 'wf-run-2-notify' });
    const got = await received(emu);
    expect(got.deliveries.map((d) => d.attempts)).toEqual([2, 1]);
    expect(got.deliveries[0]!.id).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(got.deliveries[0]!.id).not.toBe(got.deliveries[1]!.id);
  });

  it('waits out a 429 Retry-After before trying again', async () => {
    emu.faults.set(FaultController.parse({ retryAfterSeconds: 1, count: 1 }));
    const arrivals: number[] = [];
    const off = emu.onRequest((_route, at) => arrivals.push(at));
    await t.slack.notify(message(6));
    off();
    const gap = arrivals[1]! - arrivals[0]!;
    console.info(`[notify] 429 with Retry-After: 1 -> next attempt after ${gap} ms`);
    expect(arrivals).toHaveLength(2);
    expect(gap).toBeGreaterThanOrEqual(950);
    expect((await received(emu)).deliveries).toHaveLength(1);
  });

  it('never retries any other 4xx, and a 4xx never opens the circuit', async () => {
    const slack = (path: string) => transports({ NOTIFY_SLACK_WEBHOOK_URL: `${emu.url}${path}` }).slack;
    emu.resetStats();
    expect(await reason(slack('/services/T0TEST/B0TEST/revoked').notify(message(7)))).toBe('auth');
    expect(await reason(slack('/services/T0TEST/archived/token123').notify(message(8)))).toBe('rejected');
    emu.faults.set(FaultController.parse({ status: 400, count: 6 }));
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => reason(t.slack.notify(message(n)))));
    expect(results).toEqual(Array(6).fill('rejected'));
    expect(emu.stats().total).toBe(8);
    expect((await received(emu)).refusals.map((r) => r.reason)).toEqual(['invalid_token', 'channel_is_archived']);
    expect(t.pipeline.health('notify.slack').circuit).toBe('closed');
    await t.slack.notify(message(9));
    expect((await received(emu)).deliveries).toHaveLength(1);
  });

  it('delivers in the order queued while the receiver fails at random, drops connections and answers slowly', async () => {
    emu.faults.set(FaultController.parse({ errorRate: 0.3, dropRate: 0.1, latencyMs: 5, seed: 7 }));
    emu.resetStats();
    const all = Array.from({ length: 30 }, (_, n) => t.webhook.notify(message(n)));
    await Promise.all(all);
    emu.faults.clear();
    const got = (await received(emu)).deliveries.map((d) => (d.body as { data: { details: { n: number } } }).data.details.n);
    console.info(`[notify] 30 messages took ${emu.stats().total} attempts under 30% 503s and 10% dropped connections`);
    expect(got).toEqual(Array.from({ length: 30 }, (_, n) => n));
    expect(emu.stats().total).toBeGreaterThan(30);
  });

  it('retries an attempt that passed its deadline', async () => {
    const slow = transports({ NOTIFY_SLACK_WEBHOOK_URL: `${emu.url}${SLACK_PATH}` }, { notify: { timeoutMs: 200, backoffMs: 10 } });
    emu.faults.set(FaultController.parse({ latencyMs: 600, count: 1 }));
    await slow.slack.notify(message(10));
    await new Promise((r) => setTimeout(r, 700)); // the first, late attempt lands too
    const got = (await received(emu)).deliveries;
    // Slack has no delivery id: the late first attempt and the retry both post (the documented price of not losing an alert).
    expect(got.length).toBeGreaterThanOrEqual(1);
    expect(emu.stats().total).toBe(2);
  });

  it('delivers outside the request that queued it: not in its scope, not cancelled when its client goes away', async () => {
    const client = new AbortController();
    const scope = newScope('req-notify', client.signal);
    emu.faults.set(FaultController.parse({ latencyMs: 300, count: 1 }));
    const pending = runInScope(scope, () => t.webhook.notify(message(11)));
    client.abort();
    await pending;
    expect(scope.calls).toEqual([]);
    expect((await received(emu)).deliveries).toHaveLength(1);
  });
});

describe('notification transports side by side', () => {
  let slackEmu: Emulator;
  let hookEmu: Emulator;
  const key = secret();

  beforeAll(async () => {
    slackEmu = createNotifyEmulator();
    hookEmu = createNotifyEmulator({ webhookSecret: key });
    await Promise.all([slackEmu.start(), hookEmu.start()]);
  });
  afterAll(async () => {
    await Promise.all([slackEmu.stop(), hookEmu.stop()]);
  });

  it('have a breaker each: Slack down opens only its own circuit', async () => {
    const t = transports(
      { NOTIFY_SLACK_WEBHOOK_URL: `${slackEmu.url}${SLACK_PATH}`, NOTIFY_WEBHOOK_URL: `${hookEmu.url}${HOOK_PATH}`, NOTIFY_WEBHOOK_SECRET: key },
      { notify: { maxAttempts: 1, breaker: { consecutiveFailures: 2 } } },
    );
    slackEmu.faults.set(FaultController.parse({ status: 502 }));
    const outcomes = await Promise.all([1, 2, 3].map((n) => reason(t.slack.notify(message(n)))));
    expect(outcomes).toEqual(['transient', 'transient', 'circuit_open']);
    expect(t.pipeline.health('notify.slack').circuit).toBe('open');
    await t.webhook.notify(message(4));
    expect(t.pipeline.health('notify.webhook').circuit).toBe('closed');
    expect((await received(hookEmu)).deliveries).toHaveLength(1);
  });

  it('are configured by environment: ALERT_WEBHOOK_URL is the Slack transport under its older name', () => {
    const config = loadConfig({ ALERT_WEBHOOK_URL: `${slackEmu.url}${SLACK_PATH}` });
    const p = new Pipeline({ policies: policyTable(config.connectors), cache: new MemoryCacheStore(100), logger: pino({ level: 'silent' }) });
    expect(createNotifiers(notifySettings(config), undefined, p).map((n) => [n.name, n.mode, n.baseUrl])).toEqual([['notify.slack', 'live', slackEmu.url]]);
    expect(createNotifiers(notifySettings(loadConfig({})), undefined, p)).toEqual([]);
  });
});
