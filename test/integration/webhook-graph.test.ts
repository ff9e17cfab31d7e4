// The webhook inbox through the graph: webhookEvents filters and pages the store's rows, and the
// replays reopen rows and queue them again. Rows are inserted straight into the inbox, for an
// instance with no webhooks of its own (the AI provider): nothing enqueues them but a replay, and
// the worker, finding no handler, lets them die harmlessly (WEBHOOK_RETRIES=0: on the first attempt).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { principalFor } from '../helpers/principals.ts';
import type { WebhookEventRecord } from '../../src/connectors/store/index.ts';

const until = async <T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const LIST = `query ($filter: WebhookEventFilter, $first: Int, $after: String) {
  webhookEvents(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id provider eventId type status attempts receivedAt processedAt lastError } }
  }
}`;
const REPLAY_ONE = 'mutation ($id: ID!) { replayWebhookEvent(id: $id) { id status attempts lastError } }';
const REPLAY_MANY = 'mutation ($filter: WebhookEventFilter!) { replayWebhookEvents(filter: $filter) }';

type Page = {
  webhookEvents: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: Record<string, unknown> }[];
  };
};

const admin = principalFor('admin');
const operator = principalFor('operator');
const app = principalFor('app');
const customer = principalFor('customer', { customerId: 'cust_demo0005' });
const replayer = principalFor('service', { grants: ['ops:write'] });
const opsService = principalFor('service', { grants: ['ops:read', 'ops:write'] });

async function insert(stack: Stack, provider: string, type: string, receivedAt?: string): Promise<string> {
  const { store } = stack.connectors;
  const id = await store.webhooks.insert(store.db, { provider, eventId: `evt_${randomUUID()}`, type, objectId: null, occurredAt: new Date(), payload: {} });
  if (receivedAt) await store.db.query('update webhook_events set received_at = $2 where id = $1', [id, receivedAt]);
  return id!;
}

describe.each(BACKENDS)('webhook events in the graph on %s', (backend) => {
  let stack: Stack;
  const ids = {} as Record<'r1' | 'r2' | 'r3' | 'r4' | 'r5', string>;
  const list = async (filter?: Record<string, unknown>, first?: number, after?: string, as = operator) => stack.run<Page>(LIST, { filter, first, after }, as);
  const row = (id: string) => stack.connectors.store.webhooks.get(id) as Promise<WebhookEventRecord>;

  beforeAll(async () => {
    stack = await startStack(backend, { jobs: () => {}, env: { WEBHOOK_RETRIES: '0' } });
    const { webhooks } = stack.connectors.store;
    ids.r1 = await insert(stack, 'openai', 'thing.created', '2024-01-01T00:00:00Z');
    ids.r2 = await insert(stack, 'openai', 'thing.updated', '2024-01-02T00:00:00Z');
    ids.r3 = await insert(stack, 'anthropic', 'thing.created', '2024-01-03T00:00:00Z');
    ids.r4 = await insert(stack, 'anthropic', 'other.deleted', '2024-01-04T00:00:00Z');
    ids.r5 = await insert(stack, 'openai', 'thing.created', '2024-01-05T00:00:00Z');
    await webhooks.processed(ids.r2);
    await webhooks.failed(ids.r3, 'upstream down', false);
    await webhooks.failed(ids.r4, 'upstream down for good', true);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('lists the inbox newest first, with each field mapped', async () => {
    const res = await list();
    expect(res.errors).toBeUndefined();
    const page = res.data!.webhookEvents;
    expect(page.totalCount).toBe(5);
    expect(page.edges.map((e) => e.node.id)).toEqual([ids.r5, ids.r4, ids.r3, ids.r2, ids.r1]);
    expect(page.edges[1]!.node).toMatchObject({
      provider: 'anthropic',
      type: 'other.deleted',
      status: 'DEAD',
      attempts: 0,
      lastError: 'upstream down for good',
      processedAt: null,
    });
    // executeOperation hands back the serialized values unencoded: dates as Date.
    const at = (v: unknown) => new Date(v as string).toISOString();
    expect(at(page.edges[1]!.node.receivedAt)).toBe('2024-01-04T00:00:00.000Z');
    expect(page.edges[3]!.node).toMatchObject({ status: 'PROCESSED', lastError: null });
    expect(page.edges[3]!.node.processedAt).not.toBeNull();
  });

  it('filters by provider, status, type and received time', async () => {
    const idsOf = async (filter: Record<string, unknown>) => {
      const res = await list(filter);
      expect(res.errors).toBeUndefined();
      return res.data!.webhookEvents.edges.map((e) => e.node.id);
    };
    expect(await idsOf({ provider: 'openai' })).toEqual([ids.r5, ids.r2, ids.r1]);
    expect(await idsOf({ status: 'FAILED' })).toEqual([ids.r3]);
    expect(await idsOf({ status: 'RECEIVED', provider: 'openai' })).toEqual([ids.r5, ids.r1]);
    expect(await idsOf({ type: 'thing.created' })).toEqual([ids.r5, ids.r3, ids.r1]);
    // from inclusive, to exclusive.
    expect(await idsOf({ from: '2024-01-02T00:00:00Z', to: '2024-01-04T00:00:00Z' })).toEqual([ids.r3, ids.r2]);
    expect((await list({ provider: 'nobody' })).data!.webhookEvents).toMatchObject({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });

  it('pages with after, and refuses a cursor of another filter', async () => {
    const filter = { provider: 'openai' };
    const one = (await list(filter, 2)).data!.webhookEvents;
    expect(one.edges.map((e) => e.node.id)).toEqual([ids.r5, ids.r2]);
    expect(one.pageInfo).toEqual({ hasNextPage: true, endCursor: one.edges[1]!.cursor });
    const two = (await list(filter, 2, one.pageInfo.endCursor!)).data!.webhookEvents;
    expect(two.edges.map((e) => e.node.id)).toEqual([ids.r1]);
    expect(two).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false } });
    const foreign = await list({ provider: 'anthropic' }, 2, one.pageInfo.endCursor!);
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const forged = await list(filter, 2, 'not-a-cursor');
    expect(forged.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('refuses bad arguments naming the field', async () => {
    const code = async (filter: Record<string, unknown> | undefined, first?: number) => (await list(filter, first)).errors?.[0]?.extensions;
    expect(await code(undefined, 0)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(await code(undefined, 101)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(await code({ from: '2024-01-03T00:00:00Z', to: '2024-01-02T00:00:00Z' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.to' });
    expect(await code({ provider: 'x'.repeat(51) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.provider' });
    const replay = await stack.run(REPLAY_MANY, { filter: { from: '2024-01-03T00:00:00Z', to: '2024-01-03T00:00:00Z' } }, admin);
    expect(replay.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.to' });
    const everything = await stack.run(REPLAY_MANY, { filter: {} }, admin);
    expect(everything.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter' });
    const malformed = await stack.run(REPLAY_ONE, { id: 'evt_123' }, admin);
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('lets ops:read list and keeps the replays to ops:write (admins, services granted it)', async () => {
    expect((await list(undefined, 1, undefined, operator)).data?.webhookEvents.totalCount).toBe(5);
    expect((await list(undefined, 1, undefined, principalFor('service', { grants: ['ops:read'] }))).errors).toBeUndefined();
    for (const who of [app, customer]) expect((await list(undefined, 1, undefined, who)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await list(undefined, 1, undefined, principalFor('anonymous'))).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    for (const who of [operator, app, customer, principalFor('service', { grants: ['ops:read'] })]) {
      const one = await stack.run(REPLAY_ONE, { id: ids.r4 }, who);
      expect(one.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: ['ops:write'] });
      const many = await stack.run(REPLAY_MANY, { filter: { status: 'DEAD' } }, who);
      expect(many.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    // Refused before the resolver: nothing was reopened.
    expect((await row(ids.r4)).status).toBe('dead');
  });

  it('replayWebhookEvent puts the event back to RECEIVED and queues it: the worker takes it up', async () => {
    const id = await insert(stack, 'openai', 'replay.one');
    await stack.connectors.store.webhooks.failed(id, 'it broke', true);
    const res = await stack.run<{ replayWebhookEvent: Record<string, unknown> }>(REPLAY_ONE, { id }, admin);
    expect(res.errors).toBeUndefined();
    expect(res.data!.replayWebhookEvent).toEqual({ id, status: 'RECEIVED', attempts: 0, lastError: null });
    // Only the queue could have run it: it was never enqueued before.
    const after = await until('the worker to take the replayed event', async () => {
      const r = await row(id);
      return r.attempts >= 1 && r.status === 'dead' ? r : null;
    });
    expect(after.lastError).toMatch(/No connector instance openai/);
    // The attempt is in the audit trail as a webhook record.
    const audit = await until('the webhook audit record', async () => {
      const a = await stack.run<{ auditEvents: { edges: { node: { kind: string; webhook: Record<string, unknown> | null } }[] } }>(
        'query { auditEvents(filter: { kind: WEBHOOK }, first: 20) { edges { node { kind webhook { provider eventId type status attempts reason } } } } }',
        undefined,
        admin,
      );
      expect(a.errors).toBeUndefined();
      return a.data!.auditEvents.edges.find((e) => e.node.webhook?.eventId === after.eventId);
    });
    expect(audit.node).toMatchObject({ kind: 'WEBHOOK', webhook: { provider: 'openai', type: 'replay.one', status: 'dead', attempts: 1 } });
    // A service granted ops:write replays; reading the event it answers takes ops:read as well.
    const byService = await stack.run(REPLAY_ONE, { id }, opsService);
    expect(byService.errors).toBeUndefined();
    const writeOnly = await stack.run(REPLAY_ONE, { id }, replayer);
    expect(writeOnly.data).toBeNull();
    expect(writeOnly.errors?.length).toBeGreaterThan(0);
    for (const e of writeOnly.errors!) expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: ['ops:read'] });
    const countOnly = await stack.run<{ replayWebhookEvents: number }>(REPLAY_MANY, { filter: { type: 'replay.one' } }, replayer);
    expect(countOnly.data?.replayWebhookEvents).toBe(1);
  });

  it('replayWebhookEvent of an unknown id is NOT_FOUND naming id', async () => {
    const res = await stack.run(REPLAY_ONE, { id: randomUUID() }, admin);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
  });

  it('replayWebhookEvents replays what the filter matches and answers how many', async () => {
    const many = await Promise.all([1, 2, 3].map(() => insert(stack, 'openai', 'replay.many')));
    for (const id of many) await stack.connectors.store.webhooks.failed(id, 'it broke', true);
    const res = await stack.run<{ replayWebhookEvents: number }>(REPLAY_MANY, { filter: { type: 'replay.many', status: 'DEAD' } }, admin);
    expect(res.errors).toBeUndefined();
    expect(res.data!.replayWebhookEvents).toBe(3);
    await until('the worker to take all three', async () => (await Promise.all(many.map(row))).every((r) => r.attempts >= 1 && r.status === 'dead'));
    // The rows the listing tests use were left alone.
    expect((await row(ids.r4)).attempts).toBe(0);
    const none = await stack.run<{ replayWebhookEvents: number }>(REPLAY_MANY, { filter: { provider: 'nobody' } }, admin);
    expect(none.data!.replayWebhookEvents).toBe(0);
  });
});

describe('webhook events on a server without a job queue', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('still lists the inbox, and refuses the replays as UPSTREAM_UNAVAILABLE (no_job_queue)', async () => {
    const id = await insert(stack, 'openai', 'thing.created');
    const res = await stack.run<Page>(LIST, {}, operator);
    expect(res.errors).toBeUndefined();
    expect(res.data!.webhookEvents.edges.map((e) => e.node.id)).toEqual([id]);
    for (const [query, variables] of [
      [REPLAY_ONE, { id }],
      [REPLAY_MANY, { filter: { provider: 'openai' } }],
    ] as const) {
      const out = await stack.run(query, variables, admin);
      expect(out.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'no_job_queue' });
    }
    expect((await stack.connectors.store.webhooks.get(id))?.status).toBe('received');
  });
});
