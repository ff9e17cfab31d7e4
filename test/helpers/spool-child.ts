// Run as its own process by audit-outage.test.ts: spools audit records while its database is
// unreachable, prints their ids, then waits to be killed (SIGKILL: no flush, no cleanup).
import pino from 'pino';
import { AuditWriter } from '../../src/plugins/audit/writer.ts';
import { alertRecord } from '../../src/alerts/record.ts';
import type { AuditStore } from '../../src/connectors/store/index.ts';

const [root, count] = process.argv.slice(2);
const down = async (): Promise<never> => {
  throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
};
const store: AuditStore = { append: down, list: down, scan: down };
const writer = new AuditWriter({ store, logger: pino({ level: 'silent' }), spoolDir: root!, retryMinMs: 20, retryMaxMs: 50 });
const ids: string[] = [];
for (let i = 0; i < Number(count); i++) {
  const record = alertRecord({
    condition: 'circuit',
    connector: 'stripe',
    operation: null,
    state: 'firing',
    message: `crash test ${i}`,
    at: new Date().toISOString(),
  });
  ids.push(record.id);
  writer.write(record);
}
// write() spools on the next turn of the event loop; after two turns the records are on disk.
setImmediate(() => setImmediate(() => process.stdout.write(`${JSON.stringify({ ids, backlog: writer.backlog() })}\n`)));
setInterval(() => {}, 60_000);
