// The ceiling: a bare node:http server that reads the request, finds its operation by name and
// answers with the response another target gave for it, precomputed. No GraphQL, no store, no
// upstream: what the machine, Node's HTTP stack and the load generator allow at most.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { announce, exitOnSignal } from './lifecycle.ts';

const port = Number(process.env.PORT);
const file = process.env.BENCH_CEILING_RESPONSES;
const responses = new Map<string, Buffer>(
  Object.entries(file ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {}).map(([name, body]) => [name, Buffer.from(body)]),
);
const fallback = Buffer.from('{"data":{"__typename":"Query"}}');

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let name: unknown;
    try {
      name = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { operationName?: unknown }).operationName;
    } catch {
      res.writeHead(400).end();
      return;
    }
    const body = (typeof name === 'string' && responses.get(name)) || fallback;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
});
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
announce('ceiling', port);
exitOnSignal(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
