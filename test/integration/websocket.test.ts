// GraphQL over WebSocket at /graphql, through the real server listening on a port and graphql-ws's
// own client over `ws`: the same credentials, refusals, codes, audit and limits as HTTP, aborts
// that reach the pipeline, the socket's own limits, and a prompt shutdown with a socket open.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SignJWT } from 'jose';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import type { GraphQLFormattedError } from 'graphql';
import { ApiKeys } from '../../src/auth/apiKeys.ts';
import type { AuditRecord } from '../../src/connectors/store/index.ts';
import type { CallEvent } from '../../src/pipeline/index.ts';
import { FaultController } from '../../src/emulators/faults.ts';
import { BACKENDS, SHARED_STORES, startStack, type Stack } from '../helpers/stack.ts';
import { startObserved, type Observed } from '../helpers/observed.ts';

const CUSTOMERS = 'query Customers { customers(first: 2) { totalCount edges { node { id email } } } }';
const payments = (customer: string) => `query Payments { customer(id: "${customer}") { id payments(first: 2) { edges { node { id } } } } }`;
// A write: a cached read's shared load outlives the client that started it (pipeline.test.ts), a write does not.
const pay = (key: string) =>
  `mutation Pay { createPayment(input: { customerId: "cust_demo0021", amount: 600, currency: "USD", idempotencyKey: "ws-${key}-${Date.now()}" }) { id } }`;
const DEEP = '{ customers { edges { node { payments { edges { node { customer { id } } } } } } } }';
const UNKNOWN_KEY = 'syk_0000000000000000_' + '0'.repeat(64);
const JWT = { JWT_SECRET: 'websocket-secret-of-more-than-32-chars', JWT_ISSUER: 'https://idp.example.test/', JWT_AUDIENCE: 'switchyard' };
const jwt = (role: string, expiresIn: string | number = '5m') =>
  new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('ws-user')
    .setIssuer(JWT.JWT_ISSUER)
    .setAudience(JWT.JWT_AUDIENCE)
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(JWT.JWT_SECRET));

interface Outcome {
  result?: FormattedExecutionResult;
  errors?: readonly GraphQLFormattedError[];
  closed?: { code: number; reason: string };
}

interface Opened {
  client: Client;
  /** Every close the client saw. */
  closes: { code: number; reason: string }[];
  run(query: string, variables?: Record<string, unknown>): Promise<Outcome>;
  /** Starts an operation; the function it returns completes it (the client's `complete`). */
  start(query: string): { done: Promise<Outcome>; cancel: () => void };
}

describe.each(BACKENDS)('GraphQL over WebSocket on %s', (backend) => {
  let o: Observed;
  let url: string;
  const events: CallEvent[] = [];

  const open = (opts: { params?: Record<string, unknown>; headers?: Record<string, string>; lazy?: boolean } = {}): Opened => {
    const closes: Opened['closes'] = [];
    const headers = opts.headers ?? {};
    const client = createClient({
      url,
      lazy: opts.lazy ?? true,
      // A non-lazy client prints a socket's close to stderr unless told otherwise: the closes are the tests' to check.
      onNonLazyError: () => {},
      retryAttempts: 0,
      connectionParams: opts.params,
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers });
        }
      },
      on: { closed: (e) => void closes.push({ code: (e as CloseEvent).code, reason: String((e as CloseEvent).reason) }) },
    });
    const start = (query: string, variables?: Record<string, unknown>) => {
      let cancel = () => {};
      const done = new Promise<Outcome>((resolve) => {
        const out: Outcome = {};
        cancel = client.subscribe(
          { query, ...(variables ? { variables } : {}) },
          {
            next: (result) => void (out.result = result as FormattedExecutionResult),
            error: (err) => {
              if (Array.isArray(err)) out.errors = err as GraphQLFormattedError[];
              else if (err && typeof (err as CloseEvent).code === 'number')
                out.closed = { code: (err as CloseEvent).code, reason: String((err as CloseEvent).reason) };
              else out.errors = [{ message: String(err) }];
              resolve(out);
            },
            complete: () => resolve(out),
          },
        );
      });
      return { done, cancel: () => cancel() };
    };
    return { client, closes, start, run: (query, variables) => start(query, variables).done };
  };

  const codes = (errors: readonly { extensions?: Record<string, unknown> }[] | undefined) => (errors ?? []).map((e) => e.extensions?.code);

  beforeAll(async () => {
    o = await startObserved(backend, {
      env: { ...JWT, GRAPHQL_MAX_DEPTH: '5', WS_MAX_OPERATIONS: '2', WS_CONNECTION_INIT_TIMEOUT_MS: '300', BODY_LIMIT_BYTES: '65536', LOG_LEVEL: 'silent' },
    });
    o.connectors.pipeline.onEvent((e) => void events.push(e));
    await o.server.app.listen({ port: 0, host: '127.0.0.1' });
    const address = o.server.app.server.address();
    url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`;
  });

  afterAll(async () => {
    o.emulators.stripe.faults.clear();
    await o.stop();
  });

  it('runs a query with an API key from connection_init, answering as HTTP does', async () => {
    const ws = open({ params: { 'X-Api-Key': o.keys.admin } });
    const out = await ws.run(CUSTOMERS);
    const http = await o.post({ query: CUSTOMERS }, { 'x-api-key': o.keys.admin });
    expect(out.errors).toBeUndefined();
    expect(out.result).toEqual(http.body);
    expect((out.result?.data as { customers: { totalCount: number } }).customers.totalCount).toBeGreaterThan(0);
    await ws.client.dispose();
  });

  it('runs a mutation with an API key in the upgrade request’s Authorization header', async () => {
    const ws = open({ headers: { authorization: `Bearer ${o.keys.admin}` } });
    const out = await ws.run('mutation Hi($p: String!) { complete(input: { prompt: $p }) { text } }', { p: 'Say hi' });
    expect(out.result?.errors).toBeUndefined();
    expect((out.result?.data as { complete: { text: string } }).complete.text.length).toBeGreaterThan(0);
    await ws.client.dispose();
  });

  it('accepts a JWT as HTTP does, and closes the socket with 4403 for an expired one', async () => {
    const ws = open({ params: { Authorization: `Bearer ${await jwt('admin')}` } });
    const out = await ws.run(CUSTOMERS);
    expect(out.result?.errors).toBeUndefined();
    await ws.client.dispose();
    const expired = open({ params: { authorization: `Bearer ${await jwt('admin', Math.floor(Date.now() / 1000) - 3600)}` } });
    expect((await expired.run(CUSTOMERS)).closed).toEqual({ code: 4403, reason: expect.stringMatching(/expired/i) });
    await expired.client.dispose();
  });

  it('streams Subscription.completeStream, guarded by its rule on subscribe, and audits it when it ends with its AI call', async () => {
    const STREAM = 'subscription Stream { completeStream(input: { prompt: "Say hi to Ada" }) { delta completion { text provider } } }';
    const requestId = `ws-stream-${Date.now()}`;
    const ws = open({ params: { 'x-api-key': o.keys.admin }, headers: { 'x-request-id': requestId } });
    const events: FormattedExecutionResult[] = [];
    const ended = await new Promise<Outcome>((resolve) => {
      ws.client.subscribe(
        { query: STREAM },
        {
          next: (r) => void events.push(r as FormattedExecutionResult),
          error: (e) => resolve({ errors: e as GraphQLFormattedError[] }),
          complete: () => resolve({}),
        },
      );
    });
    expect(ended.errors).toBeUndefined();
    expect(events.length).toBeGreaterThan(1);
    const last = events.at(-1)?.data as { completeStream: { completion: { text: string } | null } };
    const text = events.map((e) => (e.data as { completeStream: { delta: string } }).completeStream.delta).join('');
    expect(last.completeStream.completion?.text).toBe(text);
    await ws.client.dispose();
    expect(await o.flush()).toBe(0);
    const record = (await o.rows()).map((r) => r.record).find((r) => r.requestId?.startsWith(`${requestId}:`));
    expect(record).toMatchObject({ kind: 'operation', outcome: 'ok', transport: 'websocket', operation: { type: 'subscription', name: 'Stream' } });
    expect(record?.ai.length).toBeGreaterThan(0);
    expect(record?.calls.some((c) => c.connector === 'openai')).toBe(true);

    // Anonymous: refused by the field's rule before the upstream is called, as an `error` message.
    const anonymous = open();
    const refused = await anonymous.run(STREAM);
    expect(codes(refused.errors)).toEqual(['UNAUTHENTICATED']);
    await anonymous.client.dispose();
  });

  it('completing a subscription aborts its upstream stream', async () => {
    o.emulators.openai.faults.set(FaultController.parse({ tokenDelayMs: 40 }));
    try {
      const ended = new Promise<string>((resolve) => {
        const off = o.emulators.openai.onStreamEnd((e) => (off(), resolve(e.end)));
      });
      const ws = open({ params: { 'x-api-key': o.keys.admin } });
      let deltas = 0;
      const stop = ws.client.subscribe(
        { query: 'subscription { completeStream(input: { prompt: "A long answer, please", maxTokens: 200 }) { delta } }' },
        { next: () => void (++deltas === 3 && setTimeout(() => stop(), 0)), error: () => {}, complete: () => {} },
      );
      expect(await ended).toBe('aborted');
      expect(deltas).toBeGreaterThanOrEqual(3);
      await ws.client.dispose();
    } finally {
      o.emulators.openai.faults.clear();
    }
  });

  it('treats a socket without a credential as anonymous: a protected field is refused with HTTP’s code', async () => {
    const ws = open();
    const out = await ws.run(CUSTOMERS);
    const http = await o.post({ query: CUSTOMERS });
    expect(codes(http.body.errors).length).toBeGreaterThan(0);
    expect(codes(out.result?.errors)).toEqual(codes(http.body.errors));
    expect(['FORBIDDEN', 'UNAUTHENTICATED']).toContain(codes(out.result?.errors)[0]);
    await ws.client.dispose();
  });

  it('closes the socket with 4403 and the reason for a bad credential, from the payload or the upgrade headers', async () => {
    const requestId = `ws-bad-key-${Date.now()}`;
    const attempts: { params?: Record<string, unknown>; headers?: Record<string, string> }[] = [
      { params: { authorization: `Bearer ${UNKNOWN_KEY}` }, headers: { 'x-request-id': requestId } },
      { headers: { 'x-api-key': UNKNOWN_KEY } },
    ];
    for (const opts of attempts) {
      const ws = open(opts);
      const out = await ws.run(CUSTOMERS);
      expect(out.closed?.code).toBe(4403);
      expect(out.closed?.reason).toMatch(/key/i);
      await ws.client.dispose();
    }
    const both = open({ params: { authorization: `Bearer ${o.keys.admin}`, 'x-api-key': o.keys.admin } });
    expect((await both.run(CUSTOMERS)).closed).toEqual({ code: 4403, reason: expect.stringMatching(/one credential/) });
    await both.client.dispose();
    expect(await o.flush()).toBe(0);
    const refused = (await o.rows()).map((r) => r.record).filter((r) => r.requestId === requestId);
    expect(refused).toEqual([
      expect.objectContaining({ kind: 'request', outcome: 'denied', transport: 'websocket', errors: [{ code: 'UNAUTHENTICATED', path: null }] }),
    ]);
  });

  it('refuses a too-deep document with the same code, limit and message as HTTP, before execution', async () => {
    const ws = open({ params: { 'x-api-key': o.keys.admin } });
    const out = await ws.run(DEEP);
    const http = await o.post({ query: DEEP }, { 'x-api-key': o.keys.admin });
    expect(out.errors).toEqual(http.body.errors);
    expect(out.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', max: 5 });
    // Not parsed at all: the text alone is over GRAPHQL_MAX_DOCUMENT_BYTES.
    const huge = await ws.run(`{ customers(search: "${'x'.repeat(40_000)}") { totalCount } }`);
    expect(huge.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'documentSize' });
    await ws.client.dispose();
  });

  it('writes an audit record like HTTP’s for each WebSocket operation, naming the transport', async () => {
    const requestId = `ws-audit-${Date.now()}`;
    const ws = open({ params: { 'x-api-key': o.keys.admin, 'apollographql-client-name': 'ws-suite' }, headers: { 'x-request-id': requestId } });
    await ws.run(CUSTOMERS);
    await ws.run(DEEP);
    await ws.client.dispose();
    const http = await o.post({ query: CUSTOMERS }, { 'x-api-key': o.keys.admin });
    expect(await o.flush()).toBe(0);
    const rows = (await o.rows()).map((r) => r.record);
    const overWs = rows.filter((r) => r.requestId?.startsWith(`${requestId}:`));
    const overHttp = rows.find((r) => r.requestId === http.requestId)!;
    expect(overWs).toHaveLength(2);
    const [ok, deep] = overWs as [AuditRecord, AuditRecord];
    expect(ok).toMatchObject({
      kind: 'operation',
      outcome: 'ok',
      transport: 'websocket',
      http: null,
      client: { name: 'ws-suite', version: null },
      principal: overHttp.principal,
      operation: overHttp.operation,
      errors: [],
    });
    expect(Object.keys(ok).sort()).toEqual([...Object.keys(overHttp), 'transport'].sort());
    expect(deep).toMatchObject({ outcome: 'limited', transport: 'websocket', errors: [{ code: 'OPERATION_LIMIT_EXCEEDED', path: null }] });
  });

  it('aborts an operation’s upstream calls when the socket closes, and when the client completes it', async () => {
    o.emulators.stripe.faults.set(FaultController.parse({ latencyMs: 3_000 }));
    try {
      for (const [key, end] of [
        ['socket-closed', (ws: Opened) => void ws.client.dispose()],
        ['completed', (_ws: Opened, cancel: () => void) => cancel()],
      ] as const) {
        const ws = open({ params: { 'x-api-key': o.keys.admin } });
        const from = events.length;
        const started = Date.now();
        const op = ws.start(pay(key));
        await new Promise((r) => setTimeout(r, 400));
        end(ws, op.cancel);
        await expect.poll(() => events.slice(from).find((e) => e.connector === 'stripe')?.outcome, { timeout: 2_500 }).toBe('cancelled');
        expect(Date.now() - started).toBeLessThan(2_500);
        await ws.client.dispose();
      }
    } finally {
      o.emulators.stripe.faults.clear();
    }
  });

  it('refuses an operation past the socket’s cap with OPERATION_LIMIT_EXCEEDED, and frees the slot when one ends', async () => {
    o.emulators.stripe.faults.set(FaultController.parse({ latencyMs: 1_000 }));
    const ws = open({ params: { 'x-api-key': o.keys.admin } });
    try {
      const slow = [ws.start(payments('cust_demo0003')), ws.start(payments('cust_demo0004'))];
      await new Promise((r) => setTimeout(r, 200));
      const third = await ws.run(CUSTOMERS);
      expect(third.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'operations', max: 2, actual: 3 });
      for (const s of slow) expect((await s.done).result?.data).toBeTruthy();
      expect((await ws.run(CUSTOMERS)).result?.errors).toBeUndefined();
    } finally {
      o.emulators.stripe.faults.clear();
      await ws.client.dispose();
    }
  });

  it('re-checks an API key at every operation: a revoked key is refused at the next one (4403)', async () => {
    const keys = new ApiKeys(o.store);
    const { key, record } = await keys.issue({ role: 'admin', name: 'ws-revoked' });
    const requestId = `ws-revoked-${Date.now()}`;
    // Not lazy: the socket stays open between the two operations, so the second finds the key revoked, not a new connection_init.
    const ws = open({ params: { authorization: `Bearer ${key}` }, headers: { 'x-request-id': requestId }, lazy: false });
    expect((await ws.run(CUSTOMERS)).result?.errors).toBeUndefined();
    await keys.revoke(record.id);
    const after = await ws.run(CUSTOMERS);
    expect(after.closed?.code ?? ws.closes[0]?.code).toBe(4403);
    await ws.client.dispose();
    // Audited as HTTP audits a request refused for its credential.
    expect(await o.flush()).toBe(0);
    const records = (await o.rows()).map((r) => r.record).filter((r) => r.requestId?.startsWith(`${requestId}:`));
    expect(records.map((r) => [r.kind, r.outcome])).toEqual([
      ['operation', 'ok'],
      ['request', 'denied'],
    ]);
    expect(records[1]).toMatchObject({
      transport: 'websocket',
      http: null,
      principal: null,
      errors: [{ code: 'UNAUTHENTICATED', path: null }],
      // As for an HTTP refusal: the operation's name only as the client sent it (none here), the text's hash.
      operation: { type: null, name: null, hash: createHash('sha256').update(CUSTOMERS).digest('hex') },
    });
  });

  it('closes a socket that sends no connection_init in time (4408) and one whose message is over BODY_LIMIT_BYTES (1009)', async () => {
    const silent = new WebSocket(url, 'graphql-transport-ws');
    const code = await new Promise<number>((r) => silent.once('close', (c: number) => r(c)));
    expect(code).toBe(4408);
    const ws = open({ params: { 'x-api-key': o.keys.admin } });
    const out = await ws.run(CUSTOMERS, { padding: 'x'.repeat(70_000) });
    expect(out.closed?.code).toBe(1009);
    await ws.client.dispose();
  });

  it('keeps GET /graphql for queries and the Sandbox page', async () => {
    const get = await o.server.app.inject({
      method: 'GET',
      url: `/graphql?query=${encodeURIComponent('{ __typename }')}`,
      headers: { 'apollo-require-preflight': '1' },
    });
    expect(get.json()).toEqual({ data: { __typename: 'Query' } });
    const page = await o.server.app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });

  it('counts connections and operations in /metrics', async () => {
    const ws = open({ params: { 'x-api-key': o.keys.admin } });
    await ws.run(CUSTOMERS);
    const text = (await o.server.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/^switchyard_websocket_connections 1$/m);
    expect(text).toMatch(/^switchyard_websocket_operations_total\{operation_type="query",outcome="ok"\} \d+$/m);
    expect(text).toMatch(/^switchyard_websocket_operations_total\{operation_type="unknown",outcome="limited"\} \d+$/m);
    expect(text).toMatch(/^switchyard_websocket_connections_refused_total\{reason="credential"\} \d+$/m);
    await ws.client.dispose();
  });

  it('server close with a socket open and an operation in flight closes it with 1001 and finishes promptly', async () => {
    o.emulators.stripe.faults.set(FaultController.parse({ latencyMs: 3_000 }));
    const ws = open({ params: { 'x-api-key': o.keys.admin } });
    const op = ws.start(pay('shutdown'));
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await o.server.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    const out = await op.done;
    expect(out.closed?.code ?? ws.closes[0]?.code).toBe(1001);
    await ws.client.dispose();
  });
});

// The inbound rate limit is per principal, whichever transport its operations come by: on the
// in-memory limiter, and on Redis when REDIS_URL is set.
/** An API key and a graphql-ws client on a stack listening on a free port. */
async function listening(stack: Stack) {
  const key = (await new ApiKeys(stack.connectors.store).issue({ role: 'admin', name: 'ws' })).key;
  await stack.server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = stack.server.app.server.address();
  const url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`;
  const client = createClient({ url, lazy: true, retryAttempts: 0, connectionParams: { 'x-api-key': key }, webSocketImpl: WebSocket });
  const once = (query: string, extensions?: Record<string, unknown>) =>
    new Promise<{ result?: FormattedExecutionResult; errors?: readonly GraphQLFormattedError[] }>((resolve) => {
      const out: { result?: FormattedExecutionResult; errors?: readonly GraphQLFormattedError[] } = {};
      client.subscribe(
        { query, ...(extensions ? { extensions } : {}) },
        {
          next: (r) => void (out.result = r as FormattedExecutionResult),
          error: (e) => resolve({ errors: e as GraphQLFormattedError[] }),
          complete: () => resolve(out),
        },
      );
    });
  const post = (query: string) =>
    stack.server.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      payload: JSON.stringify({ query }),
    });
  return { key, client, once, post };
}

describe('the persisted-operations safelist over WebSocket', () => {
  const LISTED = 'query Count { customers(first: 1) { totalCount } }';
  const dir = mkdtempSync(path.join(tmpdir(), 'sy-ws-safelist-'));
  let stack: Stack;
  let ws: Awaited<ReturnType<typeof listening>>;

  beforeAll(async () => {
    const file = path.join(dir, 'manifest.json');
    writeFileSync(file, JSON.stringify([createHash('sha256').update(LISTED).digest('hex')]));
    stack = await startStack('pglite', { env: { PERSISTED_OPERATIONS_MANIFEST: file, PERSISTED_OPERATIONS_MODE: 'safelist' } });
    ws = await listening(stack);
  });

  afterAll(async () => {
    await ws?.client.dispose();
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a listed operation and refuses any other text with HTTP’s OPERATION_NOT_ALLOWED', async () => {
    expect((await ws.once(LISTED)).result).toEqual({ data: { customers: { totalCount: expect.any(Number) } } });
    const other = '{ customers(first: 2) { totalCount } }';
    const refused = await ws.once(other);
    const http = (await ws.post(other)).json() as { errors: GraphQLFormattedError[] };
    expect(refused.errors).toEqual(http.errors);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_NOT_ALLOWED', reason: 'not_in_manifest' });
  });
});

describe.each(SHARED_STORES)('the inbound rate limit over WebSocket (%s)', (shared) => {
  let stack: Stack;
  let ws: Awaited<ReturnType<typeof listening>>;

  beforeAll(async () => {
    stack = await startStack('pglite', { shared, env: { INBOUND_RATE_LIMIT: '3', INBOUND_BURST: '0', INBOUND_RATE_WINDOW_MS: '60000' } });
    ws = await listening(stack);
  });

  afterAll(async () => {
    await ws?.client.dispose();
    await stack?.stop();
  });

  it('charges each operation, refuses past the allowance with RATE_LIMITED and retryAfterMs, and shares it with HTTP', async () => {
    for (let n = 0; n < 3; n++) expect((await ws.once('{ __typename }')).result).toEqual({ data: { __typename: 'Query' } });
    const refused = await ws.once('{ __typename }');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect((await ws.post('{ __typename }')).statusCode).toBe(429);
  });
});
