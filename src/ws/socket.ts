// One socket of GraphQL over WebSocket: graphql-ws's server opened on it (as its own adapter for
// @fastify/websocket does), keep-alive pings, and the one thing graphql-ws cannot do itself: when
// the client sends `complete` for an operation still running, or the socket closes, the
// operation's signal is aborted, so its pending upstream calls stop.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from '@fastify/websocket';
import { CloseCode, type makeServer } from 'graphql-ws';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.ts';

export interface Socket {
  request: FastifyRequest;
  log: Logger;
  credentials: IncomingHttpHeaders;
  client: { name: string | null; version: string | null };
  principal: Principal | undefined;
  /** Running operations by the client's id: their signals. */
  running: Map<string, AbortController>;
  /** Operations so far, naming those whose id is not fit for a request id. */
  count: number;
}

/** What graphql-ws's context carries for each socket. */
export type Extra = { socket: WebSocket; request: FastifyRequest; state: Socket };

type WsServer = ReturnType<typeof makeServer<Record<string, unknown>, Extra>>;

export function openSocket(server: WsServer, socket: WebSocket, request: FastifyRequest, keepAliveMs: number, onClose: () => void): void {
  const state: Socket = {
    request,
    log: request.log as Logger,
    credentials: {},
    client: { name: null, version: null },
    principal: undefined,
    running: new Map(),
    count: 0,
  };
  // A ping every keepAliveMs; a peer that has not answered one by the next is dropped.
  let pongWait: NodeJS.Timeout | undefined;
  const ping =
    keepAliveMs > 0
      ? setInterval(() => {
          if (socket.readyState !== socket.OPEN) return;
          pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
          socket.once('pong', () => clearTimeout(pongWait));
          socket.ping();
        }, keepAliveMs)
      : undefined;
  const closed = server.opened(
    {
      protocol: socket.protocol,
      send: (data) =>
        new Promise<void>((resolve, reject) => {
          if (socket.readyState !== socket.OPEN) return resolve();
          socket.send(data, (err) => (err ? reject(err) : resolve()));
        }),
      close: (code, reason) => socket.close(code, reason),
      onMessage: (cb) =>
        socket.on('message', async (data) => {
          const text = String(data);
          // graphql-ws forgets a completed operation but has no way to stop one still running.
          if (text.includes('"complete"')) cancelled(state, text);
          try {
            await cb(text);
          } catch (err) {
            state.log.error({ err }, 'websocket: message handling failed');
            socket.close(CloseCode.InternalServerError, 'Internal server error');
          }
        }),
    },
    { socket, request, state },
  );
  socket.once('close', (code, reason) => {
    clearInterval(ping);
    clearTimeout(pongWait);
    for (const abort of state.running.values()) abort.abort();
    onClose();
    void closed(code, String(reason));
  });
}

function cancelled(state: Socket, text: string): void {
  try {
    const message = JSON.parse(text) as { type?: unknown; id?: unknown };
    if (message.type === 'complete' && typeof message.id === 'string') state.running.get(message.id)?.abort();
  } catch {
    // graphql-ws closes the socket over a message that is not JSON
  }
}
