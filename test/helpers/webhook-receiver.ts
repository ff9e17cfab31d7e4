// A local webhook endpoint for the emulator tests: records every delivery's raw bytes and
// headers as they arrived, and answers what the test says (200 unless told otherwise).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  /** The full URL as the receiver sees it (what HubSpot's v3 signature covers). */
  url: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  at: number;
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  /** The status to answer a delivery with; the test may replace it. */
  respond: (r: Received, index: number) => number = () => 200;
  private server: http.Server | undefined;
  private base = '';

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: Received = {
          url: `http://${req.headers.host}${req.url}`,
          path: req.url ?? '/',
          headers: req.headers,
          rawBody: Buffer.concat(chunks),
          at: Date.now(),
        };
        this.received.push(r);
        res.writeHead(this.respond(r, this.received.length - 1), { 'content-type': 'text/plain' });
        res.end('ok');
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  url(path: string): string {
    return this.base + path;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  clear(): void {
    this.received.length = 0;
    this.respond = () => 200;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
