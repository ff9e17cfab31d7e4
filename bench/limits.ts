// How fast hostile documents are refused, over real HTTP against a started Switchyard (demo
// mode, embedded store), and whether others are still answered meanwhile:
//   refusal     ms from sending each hostile document to its coded refusal (p50, p95, max),
//               with the default limits (each stopped by the first gate it reaches)
//   gatesAlone  the same with the token, document-size and body gates opened, so 10 000 aliases
//               reach the alias gate and 1 MB of query text the document-size gate
//   underFlood  an ordinary query's latency, alone and while 4 clients send hostile documents
// Prints one JSON object. Usage: npm run bench:limits [-- --iterations 50]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { startRuntime } from '../src/runtime.ts';
import { ApiKeys } from '../src/auth/apiKeys.ts';
import { HOSTILE } from './hostile.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('iterations', 50);
const ORDINARY = '{ customers(first: 5) { totalCount edges { node { id payments(first: 2) { edges { node { amount { formatted } } } } } } } }';

const round = (ms: number) => Math.round(ms * 100) / 100;
function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const pick = (q: number) => round(s[Math.min(s.length - 1, Math.floor(q * s.length))]!);
  return { p50Ms: pick(0.5), p95Ms: pick(0.95), maxMs: round(s.at(-1)!) };
}

async function started(env: Record<string, string>) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-bench-limits-'));
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DEMO: 'true',
    PORT: '0',
    DEMO_EMULATOR_PORTS: '0,0,0',
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    INBOUND_RATE_LIMIT: '100000000',
    ...env,
  });
  const runtime = await startRuntime(config, pino({ level: 'silent' }));
  const { key } = await new ApiKeys(runtime.connectors.store).issue({ role: 'admin', name: 'bench' });
  const send = async (query: string) => {
    const t = performance.now();
    const res = await fetch(runtime.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query }),
    });
    const body = (await res.json()) as { errors?: { extensions: { code: string; limit?: string } }[] };
    return { ms: performance.now() - t, status: res.status, code: body.errors?.[0]?.extensions.code, limit: body.errors?.[0]?.extensions.limit };
  };
  for (let i = 0; i < 20; i++) await send(ORDINARY); // warm-up: JIT, loaders, emulator caches
  const stop = async () => {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { config, send, stop };
}

async function refusals(send: Awaited<ReturnType<typeof started>>['send']) {
  const out: Record<string, unknown> = {};
  for (const [name, doc] of Object.entries(HOSTILE)) {
    const runs = [];
    for (let i = 0; i < N; i++) runs.push(await send(doc));
    out[name] = { bytes: Buffer.byteLength(doc), status: runs[0]!.status, code: runs[0]!.code, limit: runs[0]!.limit, ...stats(runs.map((r) => r.ms)) };
  }
  return out;
}

async function main() {
  const opened = await started({ GRAPHQL_MAX_TOKENS: '1000000', GRAPHQL_MAX_DOCUMENT_BYTES: String(512 * 1024), BODY_LIMIT_BYTES: String(4 * 1_048_576) });
  const gatesAlone = await refusals(opened.send).finally(opened.stop);
  const { config, send, stop } = await started({});
  try {
    const refusal = await refusals(send);

    const alone: number[] = [];
    for (let i = 0; i < N; i++) alone.push((await send(ORDINARY)).ms);
    let flooding = true;
    const docs = Object.values(HOSTILE);
    const flood = Array.from({ length: 4 }, async (_, c) => {
      let sent = 0;
      while (flooding) {
        await send(docs[(c + sent) % docs.length]!);
        sent++;
      }
      return sent;
    });
    const during: number[] = [];
    for (let i = 0; i < N; i++) {
      const r = await send(ORDINARY);
      if (r.code) throw new Error(`the ordinary query failed during the flood: ${r.code}`);
      during.push(r.ms);
    }
    flooding = false;
    const hostileSent = (await Promise.all(flood)).reduce((a, b) => a + b, 0);

    process.stdout.write(
      JSON.stringify(
        {
          bench: 'limits',
          node: process.version,
          cpus: os.cpus().length,
          iterations: N,
          limits: config.graphql.limits,
          bodyLimitBytes: config.bodyLimitBytes,
          refusal,
          gatesAlone,
          underFlood: { ordinaryAlone: stats(alone), ordinaryDuringFlood: stats(during), hostileSentDuringFlood: hostileSent },
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await stop();
  }
}

await main();
