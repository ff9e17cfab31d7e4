// Two HTTP details of the server: what a request's log line shows of it, and how a request whose
// body is refused unread still gets its answer.
import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';

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

// Enough for any client that sends a body somewhat over the limit; past it the connection is cut.
const DRAIN_MAX_BYTES = 32 * 1024 * 1024;
const DRAIN_MAX_MS = 10_000;

/**
 * Reads and discards what is left of a refused request's body, up to a bound. Fastify answers a
 * body over the limit (or of a wrong content type) without reading it and asks to close the
 * connection; the socket then closes with the client's data unread, the kernel resets it, and a
 * client still writing (Node's own fetch) sees EPIPE instead of the answer. Draining lets it
 * finish writing and read the 413; the connection stays open for its next request.
 */
export function drainRefusedBody(raw: IncomingMessage, reply: FastifyReply): void {
  if (raw.complete || raw.destroyed) return;
  reply.removeHeader('connection');
  let seen = 0;
  const cut = () => {
    done();
    raw.destroy();
  };
  const onData = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DRAIN_MAX_BYTES) cut();
  };
  const timer = setTimeout(cut, DRAIN_MAX_MS);
  timer.unref();
  const done = () => {
    clearTimeout(timer);
    raw.off('data', onData);
  };
  raw.on('data', onData);
  raw.once('end', done);
  raw.once('close', done);
  raw.resume();
}

export interface JsonShapeLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Objects, arrays, and the members and items in them. */
  maxValues: number;
}

export type JsonShapeRefusal = { limit: 'bodyDepth' | 'bodyValues'; max: number };

/**
 * Measures a JSON text before it is parsed, in one pass that skips over strings: JSON.parse of
 * 1 MiB of nested or wide objects holds the event loop for tens of milliseconds, and every
 * later walk of the result (coercion, cost, audit) pays again. The first limit passed is
 * returned; a text that is not JSON is left to the parser to refuse.
 */
export function jsonShapeRefusal(text: string, limits: JsonShapeLimits): JsonShapeRefusal | undefined {
  let depth = 0;
  let values = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: to its closing quote, stepping over escapes.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > limits.maxDepth) return { limit: 'bodyDepth', max: limits.maxDepth };
      if (++values > limits.maxValues) return { limit: 'bodyValues', max: limits.maxValues };
    } else if (c === 125 || c === 93) depth--;
    else if (c === 44 && ++values > limits.maxValues) return { limit: 'bodyValues', max: limits.maxValues };
  }
  return undefined;
}
