// With OTEL_EXPORTER_OTLP_ENDPOINT set, each operation is a SERVER span, each connector call a
// span under it and each HTTP request of the call a CLIENT span under that, exported over
// OTLP/HTTP to a local receiver that decodes and counts them. A caller's traceparent is continued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startObserved, type Observed } from '../helpers/observed.ts';
import { attr, KIND, otlpReceiver, type OtlpReceiver } from '../helpers/otlp.ts';

describe('tracing', () => {
  let rx: OtlpReceiver;
  let o: Observed;
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

  beforeAll(async () => {
    rx = await otlpReceiver();
    o = await startObserved('pglite', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_SERVICE_NAME: 'switchyard-test' } });
    const headers = { 'x-api-key': o.keys.admin, traceparent: `00-${TRACE}-00f067aa0ba902b7-01` };
    await o.post(
      { query: 'query Nested { customers(first: 3) { edges { node { id payments(first: 1) { edges { node { id } } } crmContact { id } } } } }' },
      headers,
    );
    await o.post({ query: '{ nope }' }, { 'x-api-key': o.keys.admin });
    await o.stop(); // flushes the exporter
  });

  afterAll(() => {
    rx?.server.close();
  });

  it('exports over OTLP/HTTP to <endpoint>/v1/traces', () => {
    expect(rx.paths.length).toBeGreaterThan(0);
    expect(rx.paths[0]).toMatch(/^POST \/v1\/traces application\/json/);
  });

  it('makes one span per operation, continuing the caller trace', () => {
    const ops = rx.spans.filter((s) => s.kind === KIND.server);
    expect(ops.map((s) => s.name).sort()).toEqual(['graphql.operation', 'query Nested']);
    const nested = ops.find((s) => s.name === 'query Nested')!;
    expect(nested.traceId).toBe(TRACE);
    expect(nested.parentSpanId).toBe('00f067aa0ba902b7');
    expect(attr(nested, 'switchyard.outcome')).toBe('ok');
    expect(
      attr(
        ops.find((s) => s.name === 'graphql.operation')!,
        'switchyard.outcome',
      ),
    ).toBe('invalid');
  });

  it('makes one child span per connector call, and one per HTTP request under the call', () => {
    const nested = rx.spans.find((s) => s.name === 'query Nested')!;
    const calls = rx.spans.filter((s) => attr(s, 'switchyard.connector') !== undefined);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const c of calls) {
      expect(c.kind).toBe(KIND.internal);
      expect(c.parentSpanId).toBe(nested.spanId);
      expect(c.traceId).toBe(TRACE);
      expect(c.name).toBe(`${attr(c, 'switchyard.connector')} ${attr(c, 'switchyard.operation')}`);
      expect(attr(c, 'switchyard.outcome')).toBe('ok');
    }
    expect(new Set(calls.map((c) => attr(c, 'switchyard.connector')))).toEqual(new Set(['stripe', 'hubspot']));

    const requests = rx.spans.filter((s) => s.kind === KIND.client);
    const callIds = new Set(calls.map((c) => c.spanId));
    expect(requests.length).toBe(calls.reduce((n, c) => n + Number(attr(c, 'switchyard.attempts')), 0));
    for (const r of requests) {
      expect(callIds.has(r.parentSpanId!)).toBe(true);
      expect(r.traceId).toBe(TRACE);
      expect(attr(r, 'http.response.status_code')).toBeTypeOf('number');
    }
    expect(rx.spans).toHaveLength(2 + calls.length + requests.length);
  });

  it('records no query string, header, variable or body in any span', () => {
    const keys = new Set(rx.spans.flatMap((s) => s.attributes.map((a) => a.key)));
    for (const k of keys) expect(k).not.toMatch(/header|query|body|variable|authorization/i);
    for (const s of rx.spans) for (const a of s.attributes) expect(JSON.stringify(a.value)).not.toMatch(/\?|Bearer|sk_test|@/);
    // The HTTP spans keep the path (Stripe's list of a customer's payments has a query string).
    expect(rx.spans.filter((s) => attr(s, 'url.path')).length).toBeGreaterThan(0);
  });
});
