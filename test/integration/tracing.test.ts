// With OTEL_EXPORTER_OTLP_ENDPOINT set, each operation is a SERVER span and each connector call
// a CLIENT span under it, exported over OTLP/HTTP to a local receiver that decodes and counts
// them. A caller's traceparent is continued.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startObserved, type Observed } from '../helpers/observed.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

async function otlpReceiver() {
  const spans: OtlpSpan[] = [];
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const payload = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of payload.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, spans, paths, server };
}

const attr = (s: OtlpSpan, key: string) => Object.values(s.attributes.find((a) => a.key === key)?.value ?? {})[0];

describe('tracing', () => {
  let rx: Awaited<ReturnType<typeof otlpReceiver>>;
  let o: Observed;
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

  beforeAll(async () => {
    rx = await otlpReceiver();
    o = await startObserved('pglite', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_SERVICE_NAME: 'switchyard-test' } });
    const headers = { 'x-api-key': o.keys.admin, traceparent: `00-${TRACE}-00f067aa0ba902b7-01` };
    await o.post({ query: 'query Nested { customers(first: 3) { edges { node { id payments(first: 1) { edges { node { id } } } crmContact { id } } } } }' }, headers);
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
    const ops = rx.spans.filter((s) => s.kind === 2);
    expect(ops.map((s) => s.name).sort()).toEqual(['graphql.operation', 'query Nested']);
    const nested = ops.find((s) => s.name === 'query Nested')!;
    expect(nested.traceId).toBe(TRACE);
    expect(nested.parentSpanId).toBe('00f067aa0ba902b7');
    expect(attr(nested, 'switchyard.outcome')).toBe('ok');
    expect(attr(ops.find((s) => s.name === 'graphql.operation')!, 'switchyard.outcome')).toBe('invalid');
  });

  it('makes one child span per connector call', () => {
    const nested = rx.spans.find((s) => s.name === 'query Nested')!;
    const calls = rx.spans.filter((s) => s.kind === 3);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const c of calls) {
      expect(c.parentSpanId).toBe(nested.spanId);
      expect(c.traceId).toBe(TRACE);
    }
    expect(new Set(calls.map((c) => attr(c, 'switchyard.connector')))).toEqual(new Set(['stripe', 'hubspot']));
    expect(rx.spans).toHaveLength(2 + calls.length);
  });
});
