// Every request to /graphql leaves exactly one audit record, whatever refused it and wherever:
// success, partial failure, denied (by the rules, or a rejected credential before GraphQL),
// invalid documents, limits (depth, body size), malformed JSON. Through the real HTTP routes.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/stack.ts';
import { startObserved, type Observed, type Reply } from '../helpers/observed.ts';
import type { AuditRecord } from '../../src/connectors/store/index.ts';
import { FaultController } from '../../src/emulators/faults.ts';

const CUSTOMERS = 'query Customers { customers(first: 2) { totalCount edges { node { id email } } } }';
const PAYMENTS = 'query Payments { customer(id: "cust_demo0005") { id payments(first: 2) { edges { node { id } } } } }';

describe.each(BACKENDS)('audit trail on %s', (backend) => {
  let o: Observed;
  const sent: Reply[] = [];
  const byRequest = new Map<string, AuditRecord[]>();
  const record = (r: Reply) => {
    const found = byRequest.get(r.requestId) ?? [];
    expect(found, `records for ${r.requestId}`).toHaveLength(1);
    return found[0]!;
  };

  beforeAll(async () => {
    o = await startObserved(backend, { env: { GRAPHQL_MAX_DEPTH: '5', BODY_LIMIT_BYTES: '2048' } });
    const admin = { 'x-api-key': o.keys.admin, 'apollographql-client-name': 'audit-suite', 'apollographql-client-version': '1.2.3' };
    const post = async (body: unknown, headers: Record<string, string> = admin) => {
      const res = await o.post(body, headers);
      sent.push(res);
      return res;
    };
    await post({ query: CUSTOMERS }); // 0 ok
    o.emulators.stripe.faults.set(FaultController.parse({ status: 401 }));
    await post({ query: PAYMENTS }); // 1 partial: Stripe refuses our credentials
    o.emulators.stripe.faults.clear();
    await post({ query: CUSTOMERS }, {}); // 2 anonymous: denied by the rules
    await post({ query: CUSTOMERS }, { 'x-api-key': o.keys.app }); // 3 app role: email needs pii:read
    await post({ query: CUSTOMERS }, { 'x-api-key': 'syk_0000000000000000_' + '0'.repeat(64) }); // 4 unknown key: refused before GraphQL
    await post({ query: '{ customers(first: 1) { totalCount ' }); // 5 parse error
    await post({ query: '{ nope }' }); // 6 validation error
    await post({ query: '{ customers { edges { node { payments { edges { node { customer { id } } } } } } } }' }); // 7 depth over 5
    await post('{"query": "{ customers { totalCount }"', admin); // 8 malformed JSON
    await post({ query: `{ customers(search: "${'x'.repeat(3000)}") { totalCount } }` }); // 9 body over 2 KiB
    await post({ query: 'mutation Hi($p: String!) { complete(input: { prompt: $p }) { text usage { totalTokens } } }', variables: { p: 'Say hi to Ada' } }); // 10 AI
    expect(await o.flush()).toBe(0);
    for (const row of await o.rows()) {
      if (!row.record.requestId) continue;
      byRequest.set(row.record.requestId, [...(byRequest.get(row.record.requestId) ?? []), row.record]);
    }
  });

  afterAll(async () => {
    await o?.stop();
  });

  it('writes exactly one record per request, whatever happened to it', () => {
    expect(sent).toHaveLength(11);
    for (const r of sent) record(r);
  });

  it('records a success with principal, client, operation, calls and duration', () => {
    const r = record(sent[0]!);
    expect(r).toMatchObject({
      kind: 'operation',
      outcome: 'ok',
      principal: { id: expect.stringMatching(/^key:/), role: 'admin', via: 'api_key', keyId: expect.any(String) },
      client: { name: 'audit-suite', version: '1.2.3' },
      operation: { type: 'query', name: 'Customers', hash: createHash('sha256').update(CUSTOMERS).digest('hex') },
      errors: [],
      http: { method: 'POST', status: 200 },
    });
    expect(r.durationMs).toBeGreaterThan(0);
    expect(new Date(r.at).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('records a partial failure with the failing connector call and its code', () => {
    const r = record(sent[1]!);
    expect(sent[1]!.body.data).toMatchObject({ customer: { id: 'cust_demo0005', payments: null } });
    expect(r.outcome).toBe('partial');
    expect(r.errors).toEqual([{ code: 'UPSTREAM_AUTH_FAILED', path: 'customer.payments' }]);
    expect(r.calls).toContainEqual(expect.objectContaining({ connector: 'stripe', outcome: 'auth', attempts: 1, cacheHit: false }));
  });

  it('records denials: by the rules, and a credential refused before GraphQL ran', () => {
    expect(record(sent[2]!)).toMatchObject({ kind: 'operation', outcome: 'denied', principal: { id: 'anonymous', role: 'anonymous' } });
    expect(record(sent[2]!).errors.map((e) => e.code)).toContain('UNAUTHENTICATED');
    const app = record(sent[3]!);
    expect(app).toMatchObject({ outcome: 'denied', principal: { role: 'app' } });
    expect(new Set(app.errors.map((e) => e.code))).toEqual(new Set(['FORBIDDEN']));
    expect(sent[4]!.status).toBe(401);
    expect(record(sent[4]!)).toMatchObject({
      kind: 'request',
      outcome: 'denied',
      principal: null,
      http: { status: 401 },
      errors: [{ code: 'UNAUTHENTICATED' }],
    });
  });

  it('records invalid documents and requests', () => {
    expect(record(sent[5]!)).toMatchObject({ outcome: 'invalid', errors: [{ code: 'GRAPHQL_PARSE_FAILED' }], operation: { type: null } });
    expect(record(sent[6]!)).toMatchObject({ outcome: 'invalid', errors: [{ code: 'GRAPHQL_VALIDATION_FAILED' }] });
    expect(record(sent[8]!)).toMatchObject({ kind: 'request', outcome: 'invalid', http: { status: 400 }, errors: [{ code: 'BAD_REQUEST' }] });
  });

  it('records operations over a limit', () => {
    expect(record(sent[7]!)).toMatchObject({ outcome: 'limited', errors: [{ code: 'OPERATION_LIMIT_EXCEEDED' }] });
    expect(sent[9]!.status).toBe(413);
    expect(record(sent[9]!)).toMatchObject({ kind: 'request', outcome: 'limited', http: { status: 413 } });
  });

  it('records AI calls with tokens and cost, and the prompt redacted', () => {
    const r = record(sent[10]!);
    expect(r.outcome).toBe('ok');
    expect(r.ai).toHaveLength(1);
    const ai = r.ai[0]!;
    expect(ai.totalTokens).toBe(ai.promptTokens + ai.completionTokens);
    expect(ai.totalTokens).toBeGreaterThan(0);
    expect(ai.costUsd).toBeGreaterThan(0);
    expect(r.variables).toEqual({ p: '[redacted]' });
  });

  it('logs each request as one pino JSON line that carries its record', () => {
    type Line = {
      msg: string;
      reqId?: string;
      audit?: AuditRecord;
      req?: { method: string; url: string };
      res?: { statusCode: number };
      responseTime?: number;
    };
    const lines = o.logs().map((l) => JSON.parse(l) as Line);
    for (const r of sent) {
      const mine = lines.filter((l) => l.reqId === r.requestId && l.req);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ msg: 'request completed', req: { method: 'POST', url: '/graphql' }, res: { statusCode: r.status } });
      expect(mine[0]!.responseTime).toBeGreaterThan(0);
      expect(mine[0]!.audit).toMatchObject({ requestId: r.requestId, http: { status: r.status } });
      // The record is in no other line.
      expect(lines.filter((l) => l.audit?.requestId === r.requestId)).toHaveLength(1);
    }
  });
});
