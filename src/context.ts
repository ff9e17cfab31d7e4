// Per-request context: who is asking, a request id and logger, the shared connectors,
// and fresh DataLoaders (never shared between requests, so one caller never sees another's cache).
import type { Logger } from 'pino';
import type { Connectors } from './connectors/index.ts';
import { createLoaders, type Loaders } from './connectors/loaders.ts';

export interface Context {
  requestId: string;
  logger: Logger;
  connectors: Connectors;
  loaders: Loaders;
  /** Aborted when the client goes away or the server shuts down. */
  signal: AbortSignal;
}

export function createContext(init: { requestId: string; logger: Logger; connectors: Connectors; signal: AbortSignal }): Context {
  return { ...init, loaders: createLoaders(init.connectors) };
}
