// GET /metrics, read by a Prometheus text-format parser, after real traffic: operation latency
// by name, type and outcome, errors by code, connector calls, attempts, latency and circuit,
// cache hits and misses, inbound rate-limit refusals, AI tokens and cost (priced or not), the
// process metrics; and the `connectors` query and /health/ready with their 5-minute figures.
import parse, { type Family, type Sample } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startObserved, type Observed } from '../helpers/observed.ts';
import { FaultController } from '../../src/emulators/faults.ts';

const CONNECTORS =
  '{ connectors { name mode circuit state calls errorRate latencyP50Ms latencyP95Ms windowSeconds quota { remaining limit } lastError { kind code message at } } }';

describe('metrics and connector status', () => {
  let o: Observed;
  let families: Family[];
  let contentType: string;
  let text: string;
  let deniedCode: unknown;
  const family = (name: string) => families.find((f) => f.name === name);
  const sample = (name: string, labels: Record<string, string>): Sample | undefined =>
    family(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  const value = (name: string, labels: Record<string, string>) => Number(sample(name, labels)?.value ?? NaN);
  // The parser folds a labelled histogram's series into one (it only handles unlabelled ones), so
  // per-series counts are read from the `_count` lines of the same text it accepted.
  const histogram = (name: string, labels: Record<string, string>) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}_count{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
    return line ? Number(line.split(' ').at(-1)) : NaN;
  };

  beforeAll(async () => {
    o = await startObserved('pglite', { env: { INBOUND_RATE_LIMIT: '400', INBOUND_BURST: '0' } });
    const admin = { 'x-api-key': o.keys.admin };
    await o.post({ query: 'query Customers { customers(first: 2) { totalCount } }' }, admin);
    for (let i = 0; i < 2; i++) await o.post({ query: 'query Pay { payment(id: "pi_demo000101") { id } }' }, admin); // a miss, then a hit
    await o.post({ query: '{ nope }' }, admin);
    await o.post({ query: 'query Anon { customers { totalCount } }' });
    await o.post({ query: 'mutation Ai { complete(input: { prompt: "hi" }) { text } }' }, admin);
    await o.post({ query: 'mutation Other { complete(input: { prompt: "hi", model: "llama-3.1-8b-instruct" }) { text } }' }, admin);
    o.emulators.hubspot.faults.set(FaultController.parse({ status: 401 }));
    await o.post({ query: 'query Contact { crmContact(id: "1002") { id } }' }, admin);
    o.emulators.hubspot.faults.clear();
    deniedCode = (await o.post({ query: CONNECTORS }, { 'x-api-key': o.keys.app })).body.errors?.[0]?.extensions?.code;
    let limited = 0;
    for (let i = 0; i < 60 && !limited; i++) {
      const res = await o.post({ query: 'query Heavy { customers(first: 100) { totalCount edges { node { id } } } }' }, { 'x-api-key': o.keys.app });
      if (res.status === 429) limited++;
    }
    expect(limited).toBe(1);
    const res = await o.server.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    contentType = String(res.headers['content-type']);
    text = res.body;
    families = parse(text);
  });

  afterAll(async () => {
    await o?.stop();
  });

  it('serves the Prometheus text format', () => {
    expect(contentType).toContain('text/plain');
    expect(contentType).toContain('version=0.0.4');
    expect(families.length).toBeGreaterThan(20);
  });

  it('has operation latency by name, type and outcome, and errors by code', () => {
    expect(histogram('switchyard_graphql_operation_duration_seconds', { operation_name: 'Customers', operation_type: 'query', outcome: 'ok' })).toBe(1);
    expect(family('switchyard_graphql_operation_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(histogram('switchyard_graphql_operation_duration_seconds', { operation_name: 'unknown', outcome: 'invalid' })).toBe(1);
    expect(histogram('switchyard_graphql_operation_duration_seconds', { operation_name: 'Anon', outcome: 'denied' })).toBe(1);
    expect(value('switchyard_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(value('switchyard_graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBeGreaterThanOrEqual(1);
    expect(value('switchyard_graphql_errors_total', { code: 'UPSTREAM_AUTH_FAILED' })).toBe(1);
  });

  it('has connector calls, attempts, latency, circuit state and cache hits and misses', () => {
    expect(value('switchyard_connector_calls_total', { connector: 'stripe', outcome: 'ok' })).toBe(2);
    expect(value('switchyard_connector_calls_total', { connector: 'hubspot', outcome: 'auth' })).toBe(1);
    expect(value('switchyard_connector_attempts_total', { connector: 'stripe' })).toBe(1);
    expect(histogram('switchyard_connector_call_duration_seconds', { connector: 'stripe' })).toBe(1);
    expect(value('switchyard_cache_requests_total', { connector: 'stripe', result: 'miss' })).toBe(1);
    expect(value('switchyard_cache_requests_total', { connector: 'stripe', result: 'hit' })).toBe(1);
    for (const connector of ['stripe', 'hubspot', 'openai', 'anthropic', 'notify.slack', 'notify.webhook']) {
      expect(value('switchyard_connector_circuit_state', { connector, state: 'closed' })).toBe(1);
      expect(value('switchyard_connector_circuit_state', { connector, state: 'open' })).toBe(0);
    }
  });

  it('has inbound rate-limit refusals, AI tokens and cost, alerts and the audit backlog', () => {
    expect(value('switchyard_rate_limit_refusals_total', { limit: 'inbound' })).toBe(1);
    expect(value('switchyard_ai_tokens_total', { model: 'gpt-4o-mini', kind: 'prompt' })).toBeGreaterThan(0);
    expect(value('switchyard_ai_tokens_total', { model: 'gpt-4o-mini', kind: 'completion' })).toBeGreaterThan(0);
    expect(value('switchyard_ai_cost_usd_total', { model: 'gpt-4o-mini', priced: 'true' })).toBeGreaterThan(0);
    expect(value('switchyard_ai_cost_usd_total', { model: 'llama-3.1-8b-instruct', priced: 'false' })).toBe(0);
    expect(value('switchyard_ai_tokens_total', { model: 'llama-3.1-8b-instruct', kind: 'prompt' })).toBeGreaterThan(0);
    expect(value('switchyard_ai_calls_total', { capability: 'chat', provider: 'openai', via: 'call' })).toBeGreaterThan(0);
    expect(value('switchyard_alerts_total', { condition: 'upstream_auth', state: 'firing' })).toBe(1);
    expect(family('switchyard_audit_backlog_records')).toBeDefined();
  });

  it('has the default process metrics and no job-queue gauge without a queue', () => {
    expect(family('process_cpu_user_seconds_total')).toBeDefined();
    expect(family('nodejs_heap_size_used_bytes')).toBeDefined();
    expect(family('switchyard_job_queue_depth')).toBeUndefined();
    expect(o.server.ops.tracing).toBeUndefined(); // no OTEL_EXPORTER_OTLP_ENDPOINT, no tracer
  });

  it('answers `connectors` for ops:read, with the last 5 minutes and the last error code', async () => {
    const res = await o.post({ query: CONNECTORS }, { 'x-api-key': o.keys.operator });
    expect(res.body.errors).toBeUndefined();
    const list = (res.body.data as { connectors: Record<string, unknown>[] }).connectors;
    // DEMO=true: both notification transports deliver to the notify emulator.
    expect(list.map((c) => c.name)).toEqual(['stripe', 'hubspot', 'openai', 'anthropic', 'notify.slack', 'notify.webhook']);
    const [stripe, hubspot] = list;
    expect(stripe).toMatchObject({ mode: 'demo', circuit: 'CLOSED', state: 'UP', calls: 1, errorRate: 0, windowSeconds: 300, quota: { limit: 25 } });
    expect(stripe!.latencyP50Ms).toBeGreaterThan(0);
    expect(stripe!.latencyP95Ms).toBeGreaterThanOrEqual(stripe!.latencyP50Ms as number);
    expect(hubspot).toMatchObject({ state: 'FAILING', calls: 1, errorRate: 1, lastError: { kind: 'auth', code: 'UPSTREAM_AUTH_FAILED' } });
    expect(deniedCode).toBe('FORBIDDEN');
  });

  it('reports the same figures on /health/ready', async () => {
    const res = await o.server.app.inject({ method: 'GET', url: '/health/ready', headers: { 'x-api-key': o.keys.operator } });
    const body = res.json() as { connectors: { name: string; window: { calls: number; errorRate: number }; lastError?: { code: string } }[] };
    expect(body.connectors.find((c) => c.name === 'hubspot')).toMatchObject({
      window: { calls: 1, errorRate: 1 },
      lastError: { code: 'UPSTREAM_AUTH_FAILED' },
    });
  });
});
