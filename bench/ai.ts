// What Switchyard adds to an AI call, beside the same call made directly with the provider's SDK
// to the same emulator (in this process, so both pay the same loopback and the same emulator):
//   complete   latency of a completion: the SDK alone; the AI router (capability chain, usage
//              record, in process); the whole graph over HTTP (authentication, permissions,
//              limits, audit, metrics, the router); and the router with a daily budget reserved
//              and settled on the store (PGlite; Postgres with DATABASE_URL) and, with REDIS_URL, on Redis
//   stream     time to the first text delta: the SDK's stream alone, the router's, and
//              Subscription.completeStream over GraphQL over WebSocket (one open socket)
// Calls alternate between the ways (one of each per round), so a slower stretch of the machine
// costs each the same. Prints one JSON object: p50/p95 in ms and the p50 overheads. The client
// runs in this process too, so the graph's figures include its own HTTP or WebSocket client's
// CPU; graphHttpNoAi (`{ __typename }` over the same path) is that floor, apart from AI.
// Usage: npm run bench:ai [-- --calls 400]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { createConnectors } from '../src/connectors/index.ts';
import { openStore } from '../src/connectors/store/index.ts';
import { DEMO_API_KEY } from '../src/connectors/openai/index.ts';
import { startEmulators } from '../src/emulators/index.ts';
import { createServer } from '../src/server.ts';
import { createServices } from '../src/context.ts';
import { connectRedis } from '../src/redis.ts';
import { ApiKeys } from '../src/auth/apiKeys.ts';
import type { AiService } from '../src/ai/service.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CALLS = arg('calls', 400);
const WARMUP = Math.min(50, Math.ceil(CALLS / 4));
const logger = pino({ level: 'warn' });
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r2 = (n: number) => Math.round(n * 100) / 100;
const stats = (xs: number[]) => ({ p50Ms: r2(q(xs, 50)), p95Ms: r2(q(xs, 95)) });

const dir = mkdtempSync(path.join(os.tmpdir(), 'sy-bench-ai-'));
const aiConfig = path.join(dir, 'ai.json');
const chain = [{ provider: 'openai', model: 'gpt-4o-mini' }];
writeFileSync(
  aiConfig,
  JSON.stringify({ capabilities: { chat: { chain }, budgeted: { chain, budget: { dailyUsd: 1e6 }, perPrincipal: { dailyTokens: 1e12 } } } }),
);
// The provider's quota raised far above what a run reaches: the benchmark measures Switchyard, not the quota.
const policy = path.join(dir, 'policy.json');
writeFileSync(policy, JSON.stringify({ openai: { quota: { points: 10_000_000, durationMs: 60_000 }, bulkhead: { concurrency: 50, queue: 10_000 } } }));
const config = loadConfig({
  NODE_ENV: 'test',
  DEMO: 'true',
  LOG_LEVEL: 'warn',
  DATA_DIR: dir,
  AI_CONFIG: aiConfig,
  POLICY_FILE: policy,
  INBOUND_RATE_LIMIT: '100000000',
  AUDIT_HMAC_KEY: 'bench-audit-key-0123456789abcdef0123456789',
});
const emulators = await startEmulators({ options: { hubspot: { rateLimit: false }, stripe: { rateLimit: false } } });
// The store: Postgres with DATABASE_URL (a schema of its own, dropped after), else embedded PGlite.
const schema = `sy_bench_ai_${process.pid}`;
const store = await openStore(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL, schema } : {});
await store.migrate();
const connectors = createConnectors(config, store, emulators.urls, { logger });
const server = await createServer(config, connectors, logger);
const base = await server.app.listen({ host: '127.0.0.1', port: 0 });
const { key } = await new ApiKeys(store, { logger }).issue({ role: 'operator', name: 'bench' });
const router = server.services.ai;
const redis = process.env.REDIS_URL ? await connectRedis(process.env.REDIS_URL, 'sy_bench_ai:', logger) : undefined;
const onRedis: AiService | undefined = redis ? createServices({ ...connectors, redis }, config.ai).ai : undefined;

const sdk = new OpenAI({ apiKey: DEMO_API_KEY, baseURL: `${emulators.urls.openai}/v1`, maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'Summarise this customer in one sentence.' }];
const ask = { capability: null, messages, model: null, temperature: null, maxTokens: 32, principalId: 'bench' };
const query = JSON.stringify({
  query: 'mutation($input: CompleteInput!) { complete(input: $input) { text usage { totalTokens } } }',
  variables: { input: { prompt: messages[0]!.content, maxTokens: 32 } },
});

const ways: Record<string, () => Promise<unknown>> = {
  sdk: () => sdk.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 32 }),
  router: () => router.complete(ask),
  graphHttp: async () => {
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: query });
    const body = (await res.json()) as { errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
  },
  // The graph's own floor: the same HTTP request path with an operation that calls no upstream.
  graphHttpNoAi: async () => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: '{"query":"{ __typename }"}',
    });
    await res.arrayBuffer();
  },
  routerBudgetStore: () => router.complete({ ...ask, capability: 'budgeted' }),
  ...(onRedis ? { routerBudgetRedis: () => onRedis.complete({ ...ask, capability: 'budgeted' }) } : {}),
};

async function firstDelta(open: () => AsyncIterable<unknown> | Promise<AsyncIterable<unknown>>, isText: (e: unknown) => boolean): Promise<number> {
  const started = performance.now();
  let at = 0;
  for await (const e of await open()) if (!at && isText(e)) at = performance.now() - started;
  return at;
}

const ws = createClient({ url: `${base.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'x-api-key': key } });
const subscription = {
  query: 'subscription($input: CompleteInput!) { completeStream(input: $input) { delta completion { usage { totalTokens } } } }',
  variables: { input: { prompt: messages[0]!.content, maxTokens: 32 } },
};

const streams: Record<string, () => Promise<number>> = {
  sdk: () =>
    firstDelta(
      // The same request the connector makes: create with stream, the raw chunks.
      () => sdk.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 32, stream: true, stream_options: { include_usage: true } }),
      (e) => Boolean((e as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content),
    ),
  router: () =>
    firstDelta(
      () => router.stream(ask, new AbortController().signal),
      (e) => (e as { type: string }).type === 'delta',
    ),
  graphWs: () =>
    firstDelta(
      () => ws.iterate(subscription),
      (e) => Boolean((e as { data?: { completeStream?: { delta: string } } }).data?.completeStream?.delta),
    ),
};

const completeTimes: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((w) => [w, []]));
const streamTimes: Record<string, number[]> = Object.fromEntries(Object.keys(streams).map((w) => [w, []]));
for (let i = 0; i < CALLS + WARMUP; i++) {
  for (const [name, run] of Object.entries(ways)) {
    const started = performance.now();
    await run();
    if (i >= WARMUP) completeTimes[name]!.push(performance.now() - started);
  }
  if (i % 4 === 0) for (const [name, run] of Object.entries(streams)) (i >= WARMUP ? streamTimes[name]! : []).push(await run());
}

const p50 = (name: string) => q(completeTimes[name]!, 50);
const result = {
  machine: { cpus: os.cpus().length, node: process.version },
  store: store.kind,
  calls: CALLS,
  complete: Object.fromEntries(Object.entries(completeTimes).map(([k, v]) => [k, stats(v)])),
  overheadP50Ms: Object.fromEntries(
    Object.keys(ways)
      .filter((w) => w !== 'sdk' && w !== 'graphHttpNoAi')
      .map((w) => [w, r2(p50(w) - p50('sdk'))]),
  ),
  // The AI part of the graph's answer: the completion over HTTP less the same request path with no upstream call, less the SDK's own call.
  graphHttpAiPartP50Ms: r2(p50('graphHttp') - p50('graphHttpNoAi') - p50('sdk')),
  stream: {
    firstDelta: Object.fromEntries(Object.entries(streamTimes).map(([k, v]) => [k, stats(v)])),
    overheadP50Ms: { router: r2(q(streamTimes.router!, 50) - q(streamTimes.sdk!, 50)), graphWs: r2(q(streamTimes.graphWs!, 50) - q(streamTimes.sdk!, 50)) },
  },
  goal: { routerOverheadP50BelowMs: 1, met: p50('router') - p50('sdk') < 1 },
};
console.log(JSON.stringify(result, null, 2));

await ws.dispose();
await server.close();
await server.services.ai.usage.close();
if (process.env.DATABASE_URL) await store.db.query(`drop schema ${schema} cascade`);
await store.close();
redis?.disconnect();
await emulators.stop();
rmSync(dir, { recursive: true, force: true });
