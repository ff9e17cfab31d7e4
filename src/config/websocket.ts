// GraphQL over WebSocket's part of the configuration (README: "GraphQL over WebSocket"). The
// largest message is BODY_LIMIT_BYTES, the same bound as an HTTP body.
import { z } from 'zod';
import type { Config } from '../config.ts';
import { count } from './env.ts';

export const WebSocketEnv = {
  WS_MAX_OPERATIONS: count(1, 1_000).default(25),
  WS_CONNECTION_INIT_TIMEOUT_MS: count(100, 60_000).default(3_000),
  WS_KEEPALIVE_MS: count(0, 600_000).default(12_000),
};

export interface WebSocketConfig {
  /** Operations one socket may have running at once; the next is refused (OPERATION_LIMIT_EXCEEDED, limit: operations). */
  maxOperations: number;
  /** A socket that sends no connection_init within this is closed (4408). */
  connectionInitTimeoutMs: number;
  /** Ping interval; a socket that does not answer a ping within the next interval is dropped. 0: no pings. */
  keepAliveMs: number;
}

type WebSocketEnvValues = z.infer<z.ZodObject<typeof WebSocketEnv>>;

export function webSocketConfig(e: WebSocketEnvValues): Pick<Config, 'websocket'> {
  return {
    websocket: {
      maxOperations: e.WS_MAX_OPERATIONS,
      connectionInitTimeoutMs: e.WS_CONNECTION_INIT_TIMEOUT_MS,
      keepAliveMs: e.WS_KEEPALIVE_MS,
    },
  };
}
