// What a request's log lines and its audit record's serialisation cost, the way they were and
// the way they are, side by side in one process (CPU µs per request, from process.cpuUsage):
//   before  Fastify's two request lines, the audit writer's own line, pino redaction with
//           wildcard paths (`*.token`, `*.*.token`), and the record sanitised (a clone),
//           stringified for the spool, canonicalised for the hash and stringified for the insert
//   after   one line per request carrying the record, explicit redaction paths (LOG_SAFETY), and the record
//           serialised once (serializeRecord): those bytes are spooled, hashed and inserted
// Lines go to /dev/null through pino's own destination, as `switchyard start` writes to stdout.
// Then the destination itself: the same lines written to a file, a write per line (pino's
// synchronous destination) against asynchronous writes (pino's default, what `switchyard start`
// uses: the lines logged while a write is in flight go out in the next), with a few lines per
// event-loop turn as under concurrent load; CPU includes the system time of the writes.
// Usage: npx tsx bench/logging.ts [-- --iterations 20000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { LOG_SAFETY, LOG_SECRET_KEYS } from '../src/auth/redact.ts';
import { requestLogSerializers } from '../src/http.ts';
import type { AuditRecord } from '../src/connectors/store/index.ts';
import { GENESIS_HASH } from '../src/connectors/store/index.ts';
import { linkHash, sanitizeForJsonb, serializeRecord } from '../src/plugins/audit/chain.ts';

const quoted = (k: string) => `["${k}"]`;
const WILDCARD_PATHS = LOG_SECRET_KEYS.flatMap((k) => [quoted(k), `*${quoted(k)}`, `*.*${quoted(k)}`]);

// As Fastify wraps the server's logger: its res serializer, ours for req.
const serializers = { ...requestLogSerializers, res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }) };

function logger(safety: pino.LoggerOptions): Logger {
  const dest = pino.destination({ dest: '/dev/null', sync: true });
  return pino({ level: 'info', base: { service: 'switchyard' }, ...safety }, dest).child({}, { serializers });
}

const request = (i: number) => ({
  id: `req-${i}`,
  method: 'POST',
  url: '/graphql',
  host: '127.0.0.1:4000',
  ip: '127.0.0.1',
  socket: { remotePort: 40_000 + (i % 1000) },
  headers: { host: '127.0.0.1:4000', authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', 'content-type': 'application/json' },
});

function record(i: number): AuditRecord {
  const write = i % 2 === 1;
  return {
    v: 1,
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    kind: 'operation',
    at: new Date(1_764_000_000_000 + i).toISOString(),
    requestId: `req-${i}`,
    principal: { id: 'jwt:bench', role: 'admin', via: 'jwt', keyId: null },
    client: { name: null, version: null },
    operation: { type: write ? 'mutation' : 'query', name: write ? 'Pay' : 'Cached', hash: 'f'.repeat(64) },
    outcome: 'ok',
    variables: write
      ? { input: { customerId: 'cus_0001', amount: 1250, currency: 'eur', paymentMethod: 'pm_card_visa', idempotencyKey: `bench-${i}` } }
      : { id: 'cus_0001' },
    calls: write
      ? [{ connector: 'stripe', operation: 'paymentIntents.create', attempts: 1, outcome: 'ok', latencyMs: 21.4, cacheHit: false, stale: false }]
      : [
          { connector: 'stripe', operation: 'paymentIntents.list', attempts: 0, outcome: 'ok', latencyMs: 0.1, cacheHit: true, stale: false },
          { connector: 'hubspot', operation: 'contacts.batchRead', attempts: 0, outcome: 'ok', latencyMs: 0.1, cacheHit: true, stale: false },
        ],
    ai: [],
    errors: [],
    durationMs: 1.7,
    http: { method: 'POST', status: 200 },
    alert: null,
  };
}

let sink = 0; // keeps the results alive

function before(log: Logger, audit: Logger, i: number): void {
  const req = request(i);
  const child = log.child({ reqId: req.id });
  child.info({ req }, 'incoming request');
  const clean = sanitizeForJsonb(record(i));
  audit.info({ audit: clean }, 'audit');
  const spooled = `${JSON.stringify(clean)}\n`;
  const hash = linkHash(GENESIS_HASH, i, clean);
  const inserted = JSON.stringify(clean);
  child.info({ res: { statusCode: 200 }, responseTime: 1.9 }, 'request completed');
  sink += spooled.length + hash.length + inserted.length;
}

function after(log: Logger, i: number): void {
  const req = request(i);
  const child = log.child({ reqId: req.id });
  const r = record(i);
  const entry = serializeRecord(r);
  const spooled = `${entry.json}\n`;
  const hash = linkHash(GENESIS_HASH, i, entry.json);
  child.info({ req, res: { statusCode: 200 }, responseTime: 1.9, audit: r }, 'request completed');
  sink += spooled.length + hash.length + entry.json.length;
}

// The record's serialisation alone, without the log lines.
function serialiseBefore(i: number): void {
  const clean = sanitizeForJsonb(record(i));
  sink += JSON.stringify(clean).length + linkHash(GENESIS_HASH, i, clean).length + JSON.stringify(clean).length;
}

function serialiseAfter(i: number): void {
  const entry = serializeRecord(record(i));
  sink += entry.json.length + linkHash(GENESIS_HASH, i, entry.json).length;
}

function cpuUs(n: number, fn: (i: number) => void): number {
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) fn(i);
  const d = process.cpuUsage(t);
  return (d.user + d.system) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** CPU µs per request of logging and audit serialisation, before and after; rounds alternate so drift hits both. */
export function loggingCost(iterations = 20_000, rounds = 5) {
  const oldLog = logger({ redact: { paths: WILDCARD_PATHS, censor: '[redacted]' } });
  const oldAudit = oldLog.child({ channel: 'audit' });
  const newLog = logger(LOG_SAFETY);
  const run = {
    before: (i: number) => before(oldLog, oldAudit, i),
    after: (i: number) => after(newLog, i),
    serialiseBefore,
    serialiseAfter,
  };
  const us = Object.fromEntries(Object.keys(run).map((k) => [k, [] as number[]])) as Record<keyof typeof run, number[]>;
  for (const fn of Object.values(run)) cpuUs(2_000, fn);
  for (let r = 0; r < rounds; r++) for (const [k, fn] of Object.entries(run)) us[k as keyof typeof run].push(cpuUs(iterations, fn));
  const round = (x: number) => Math.round(x * 10) / 10;
  const [b, a] = [median(us.before), median(us.after)];
  return {
    iterations,
    rounds,
    beforeUs: round(b),
    afterUs: round(a),
    savedUs: round(b - a),
    serialisationOnly: { beforeUs: round(median(us.serialiseBefore)), afterUs: round(median(us.serialiseAfter)) },
    linesPerRequest: { before: 3, after: 1 },
    redactPaths: { before: WILDCARD_PATHS.length, after: LOG_SAFETY.redact.paths.length },
    keep: sink > 0,
  };
}

/** CPU µs per line written to a file, synchronously and asynchronously, `perTurn` lines per event-loop turn. */
export async function destinationCost(lines = 20_000, perTurn = 8, rounds = 5) {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-log-bench-'));
  const once = async (sync: boolean, n: number): Promise<number> => {
    const dest = pino.destination({ dest: path.join(dir, `${sync}.log`), sync });
    await new Promise((resolve) => dest.once('ready', resolve));
    const log = pino({ level: 'info', base: { service: 'switchyard' }, ...LOG_SAFETY }, dest).child({}, { serializers });
    const t = process.cpuUsage();
    for (let i = 0; i < n; i += perTurn) {
      for (let j = i; j < Math.min(n, i + perTurn); j++)
        log.info({ req: request(j), res: { statusCode: 200 }, responseTime: 1.9, audit: record(j) }, 'request completed');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise<void>((resolve, reject) => dest.flush((err) => (err ? reject(err) : resolve())));
    const d = process.cpuUsage(t);
    dest.end();
    return (d.user + d.system) / n;
  };
  const us = { sync: [] as number[], async: [] as number[] };
  await once(true, 2_000);
  await once(false, 2_000);
  for (let r = 0; r < rounds; r++) {
    us.sync.push(await once(true, lines));
    us.async.push(await once(false, lines));
  }
  rmSync(dir, { recursive: true, force: true });
  const round = (x: number) => Math.round(x * 10) / 10;
  return { lines, perTurn, rounds, syncUs: round(median(us.sync)), asyncUs: round(median(us.async)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--iterations');
  const report = { ...loggingCost(i > 0 ? Number(process.argv[i + 1]) : undefined), destination: await destinationCost() };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
