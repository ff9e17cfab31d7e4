// Streaming to frontends (DESIGN.md "AI"): Subscription.completeStream over GraphQL over
// WebSocket, as a browser's graphql-ws client uses it. Deltas then the whole answer; the same
// authentication and permissions as HTTP, refused before any upstream call; a client that leaves
// mid-stream aborts the upstream request, and what was written is recorded, charged and audited.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { jsonFile } from '../helpers/files.ts';
import { ApiKeys } from '../../src/auth/apiKeys.ts';
import { FaultController } from '../../src/emulators/faults.ts';

const STREAM = `subscription($input: CompleteInput!) { completeStream(input: $input) { delta completion { text provider model estimated usage { totalTokens } costUsd } } }`;

interface Event {
  delta: string;
  completion: { text: string; provider: string; estimated: boolean; usage: { totalTokens: number }; costUsd: number } | null;
}

describe.each(BACKENDS)('completeStream over WebSocket on %s', (backend) => {
  let stack: Stack;
  let url = '';
  const keys: Record<string, string> = {};
  const clients: Client[] = [];

  const client = (key?: string) => {
    const c = createClient({ url, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0, connectionParams: key ? { 'x-api-key': key } : {} });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const capabilities = { chat: { chain: [{ provider: 'openai', model: 'gpt-4o-mini' }], budget: { dailyUsd: 100 } } };
    stack = await startStack(backend, { env: { AI_CONFIG: jsonFile('ai.json', { capabilities }) } });
    const base = await stack.server.app.listen({ host: '127.0.0.1', port: 0 });
    url = `${base.replace(/^http/, 'ws')}/graphql`;
    const apiKeys = new ApiKeys(stack.connectors.store, { logger: stack.server.app.log as never });
    for (const role of ['operator', 'app'] as const) keys[role] = (await apiKeys.issue({ role, name: `ws-${role}` })).key;
    keys.service = (await apiKeys.issue({ role: 'service', name: 'ws-service', scopes: ['ai:complete'] })).key;
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await stack?.stop();
  });

  it('streams the deltas, then the whole answer with its usage and cost', async () => {
    const events: Event[] = [];
    for await (const r of client(keys.operator).iterate({ query: STREAM, variables: { input: { prompt: 'Write one sentence', maxTokens: 40 } } })) {
      expect(r.errors).toBeUndefined();
      events.push((r.data as { completeStream: Event }).completeStream);
    }
    const last = events.at(-1)!.completion!;
    expect(events.length).toBeGreaterThan(3);
    expect(
      events
        .slice(0, -1)
        .map((e) => e.delta)
        .join(''),
    ).toBe(last.text);
    expect(last).toMatchObject({ provider: 'openai', estimated: false });
    expect(last.costUsd).toBeGreaterThan(0);
  });

  it.each([
    ['anonymous', undefined, 'UNAUTHENTICATED', {}],
    ['an app (no ai:complete)', 'app', 'FORBIDDEN', {}],
    ['a service choosing the model without ai:models', 'service', 'FORBIDDEN', { model: 'gpt-4o' }],
    // An operator holds ai:models: its choice of model is answered.
    ['nothing of an operator choosing the model', 'operator', null, { model: 'gpt-4o' }],
  ])('refuses %s before any upstream call', async (_name, role, code, extra) => {
    stack.emulators.openai.resetStats();
    const results = [];
    // A refusal before execution is graphql-ws's `error` message: the client's iteration throws its errors.
    let refusal: { extensions?: Record<string, unknown> }[] | undefined;
    try {
      for await (const r of client(role ? keys[role] : undefined).iterate({ query: STREAM, variables: { input: { prompt: 'hi', maxTokens: 8, ...extra } } }))
        results.push(r);
    } catch (errors) {
      refusal = errors as typeof refusal;
    }
    if (code === null) {
      expect(refusal).toBeUndefined();
      expect(results.at(-1)!.errors).toBeUndefined();
      expect(stack.emulators.openai.stats().total).toBe(1);
      return;
    }
    const errors = refusal ?? results[0]?.errors;
    expect(errors?.[0]?.extensions).toMatchObject({ code });
    expect(stack.emulators.openai.stats().total).toBe(0);
  });

  it('aborts the upstream request when the client leaves mid-stream, and records, charges and audits what was written', async () => {
    stack.emulators.openai.faults.set(FaultController.parse({ tokenDelayMs: 40 }));
    const ended = new Promise<string>((resolve) => {
      const off = stack.emulators.openai.onStreamEnd((o) => (off(), resolve(o.end)));
    });
    const budget = () => stack.server.services.ai.budgets!.status([{ name: 'capability:chat' }]).then((s) => s.spent[0]!.usd);
    const before = await budget();
    let deltas = 0;
    for await (const _r of client(keys.operator).iterate({ query: STREAM, variables: { input: { prompt: 'A long answer, please', maxTokens: 300 } } })) {
      if (++deltas === 3) break;
    }
    expect(await ended).toBe('aborted');
    stack.emulators.openai.faults.clear();
    await stack.server.services.ai.usage.flush();
    const { rows } = await stack.connectors.store.db.query<{ via: string; estimated: boolean; cost_usd: string; request_id: string }>(
      `select via, estimated, cost_usd::text, request_id from ai_usage order by id desc limit 1`,
    );
    expect(rows[0]).toMatchObject({ via: 'stream', estimated: true });
    expect(await budget()).toBeCloseTo(before + Number(rows[0]!.cost_usd), 8);
    await stack.server.ops.writer.flush();
    const audit = await stack.connectors.store.db.query<{ record: { operation: { type: string }; ai: { via: string; estimated: boolean }[] } }>(
      `select record from audit_events where request_id = $1`,
      [rows[0]!.request_id],
    );
    expect(audit.rows[0]!.record.operation.type).toBe('subscription');
    expect(audit.rows[0]!.record.ai).toEqual([expect.objectContaining({ via: 'stream', estimated: true })]);
  });
});
