// Trace context reaches the upstreams: with tracing on, the Stripe, HubSpot and OpenAI emulators
// each receive a W3C traceparent carrying the operation's trace id, whose parent is the HTTP
// request's own span; a retried call is one call span with a request span per attempt. With
// tracing off nothing is instrumented and no traceparent is sent. A notification, sent off the
// request path, starts a trace of its own even when queued from inside another.
import { channel } from 'node:diagnostics_channel';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultController } from '../../src/emulators/faults.ts';
import { startObserved, type Observed } from '../helpers/observed.ts';
import { attr, KIND, otlpReceiver, type OtlpReceiver } from '../helpers/otlp.ts';

const NESTED = 'query Nested { customers(first: 2) { edges { node { id payments(first: 1) { edges { node { id } } } crmContact { id } } } } }';
const ASK = 'mutation Ask { complete(input: { prompt: "Hello" }) { text } }';
const RETRIED = 'query Retried { payment(id: "pi_tracingUnknown1") { id } }';
const fetchChannel = channel('undici:request:create');

interface Seen {
  emulator: string;
  route: string;
  traceparent: string | undefined;
}

function listen(o: Observed): Seen[] {
  const seen: Seen[] = [];
  for (const name of ['stripe', 'hubspot', 'openai', 'notify'] as const) {
    o.emulators[name].onRequest((route, _at, headers) => seen.push({ emulator: name, route, traceparent: headers.traceparent as string | undefined }));
  }
  return seen;
}

describe('with tracing off', () => {
  let o: Observed;
  let seen: Seen[];

  beforeAll(async () => {
    o = await startObserved('pglite');
    seen = listen(o);
  });
  afterAll(() => o?.stop());

  it('patches nothing and sends no traceparent', async () => {
    expect(fetchChannel.hasSubscribers).toBe(false);
    const headers = { 'x-api-key': o.keys.admin, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    expect((await o.post({ query: NESTED }, headers)).body.errors).toBeUndefined();
    expect((await o.post({ query: ASK }, headers)).body.errors).toBeUndefined();
    expect(new Set(seen.map((s) => s.emulator))).toEqual(new Set(['stripe', 'hubspot', 'openai']));
    expect(seen.filter((s) => s.traceparent !== undefined)).toEqual([]);
  });
});

describe('with tracing on', () => {
  let rx: OtlpReceiver;
  let o: Observed;
  let seen: Seen[];
  const byOperation: Record<string, Seen[]> = {};
  const OUTER = '0af7651916cd43dd8448eb211c80319c';

  beforeAll(async () => {
    rx = await otlpReceiver();
    o = await startObserved('pglite', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url } });
    seen = listen(o);
    const run = async (name: string, query: string) => {
      const from = seen.length;
      expect((await o.post({ query }, { 'x-api-key': o.keys.admin })).body.errors).toBeUndefined();
      byOperation[name] = seen.slice(from);
    };
    await run('query Nested', NESTED);
    await run('mutation Ask', ASK);
    o.emulators.stripe.faults.set(FaultController.parse({ status: 503, count: 2 }));
    await run('query Retried', RETRIED);
    const from = seen.length;
    const inside = trace.setSpanContext(ROOT_CONTEXT, { traceId: OUTER, spanId: '00f067aa0ba902b7', traceFlags: 1 });
    const notifier = o.connectors.notifiers[0]!;
    await context.with(inside, () => notifier.notify({ event: 'test', title: 'Tracing', text: 'A test', data: {}, severity: 'info', dedupeKey: 'tracing' }));
    byOperation.notify = seen.slice(from);
    await o.stop(); // flushes the exporter, and releases the instrumentation
  });
  afterAll(() => rx?.server.close());

  it('sends each upstream a traceparent with the operation trace id, parented on its request span', () => {
    expect(new Set(byOperation['query Nested']!.map((s) => s.emulator))).toEqual(new Set(['stripe', 'hubspot']));
    expect(byOperation['mutation Ask']!.map((s) => s.emulator)).toEqual(['openai']);
    for (const [name, requests] of Object.entries(byOperation).filter(([name]) => name !== 'notify')) {
      const op = rx.spans.find((s) => s.name === name && s.kind === KIND.server)!;
      expect(op).toBeDefined();
      for (const r of requests) {
        const [, traceId, parentId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(r.traceparent ?? '') ?? [];
        expect(traceId, `${r.emulator} ${r.route}`).toBe(op.traceId);
        const span = rx.spans.find((s) => s.spanId === parentId)!;
        expect(span.kind).toBe(KIND.client);
        // request -> call -> operation
        expect(rx.spans.find((s) => s.spanId === span.parentSpanId)!.parentSpanId).toBe(op.spanId);
      }
    }
  });

  it('shows a retried call as one call span with one HTTP span per attempt', () => {
    const op = rx.spans.find((s) => s.name === 'query Retried')!;
    const calls = rx.spans.filter((s) => s.parentSpanId === op.spanId);
    expect(calls.map((c) => c.name)).toEqual(['stripe paymentIntents.retrieve']);
    expect(attr(calls[0]!, 'switchyard.attempts')).toBe(3);
    const attempts = rx.spans.filter((s) => s.parentSpanId === calls[0]!.spanId);
    expect(attempts.map((s) => [s.kind, attr(s, 'http.response.status_code')])).toEqual([
      [KIND.client, 503],
      [KIND.client, 503],
      [KIND.client, 404],
    ]);
    expect(new Set(byOperation['query Retried']!.map((s) => s.traceparent)).size).toBe(3);
  });

  it('gives a notification a trace of its own, not the one it was queued in', () => {
    const [delivery] = byOperation.notify!;
    expect(delivery!.emulator).toBe('notify');
    const traceId = delivery!.traceparent!.split('-')[1];
    expect(traceId).not.toBe(OUTER);
    const root = rx.spans.find((s) => s.traceId === traceId && !s.parentSpanId)!;
    expect(root.name).toMatch(/ deliver$/);
    expect(rx.spans.filter((s) => s.traceId === traceId && s.parentSpanId === root.spanId).map((s) => s.kind)).toEqual([KIND.client]);
  });

  it('unpatches fetch when the server stops', () => {
    expect(fetchChannel.hasSubscribers).toBe(false);
  });
});
