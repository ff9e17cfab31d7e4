// HTTP details of the server: what a request's log line shows of it.
import type { IncomingMessage } from 'node:http';

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: IncomingMessage['headers'];
  socket?: { remoteAddress?: string; remotePort?: number } | null;
}

function pathOf(url: string | undefined): string | undefined {
  const q = url?.indexOf('?') ?? -1;
  return q === -1 ? url : url!.slice(0, q);
}

/**
 * Pino serializers for the server's logger. A GET /graphql carries its variables (emails, names)
 * in the query string, so a request is logged by its path alone. Fastify's request log lines,
 * its 5xx error lines and ours all serialize `req` through this.
 */
export const requestLogSerializers = {
  req: (req: LoggedRequest) => ({
    method: req.method,
    url: pathOf(req.url),
    host: req.host ?? req.headers?.host,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  }),
};
