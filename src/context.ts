// Per-request context: who is asking, a request id and logger, the shared connectors,
// and fresh DataLoaders (never shared between requests, so one caller never sees another's cache).
import type { Logger } from 'pino';
import type { Connectors } from './connectors/index.ts';
import type { AuditRecord } from './connectors/store/index.ts';
import { createLoaders, type Loaders } from './connectors/loaders.ts';
import type { Principal } from './auth/principal.ts';
import { newScope, type OperationScope } from './pipeline/scope.ts';
import { AiService, type AiRouting } from './ai/service.ts';
import { AiBudgets, type AiBudgetsOptions } from './ai/budgets/index.ts';
import { AiUsageLog, type AiUsageEntry } from './ai/usage.ts';
import type { PriceTable } from './ops/prices.ts';
import type { Events } from './events/index.ts';
import type { WorkflowEngine } from './workflows/index.ts';
import type { SyncService } from './sync/index.ts';
import type { AlertMonitor } from './alerts/index.ts';
import type { ApiKeys } from './auth/apiKeys.ts';
import type { ChainCheck, Redactor } from './plugins/audit/index.ts';
import type { ExecutionResult, GraphQLError } from 'graphql';

/** What resolvers call above the connectors: services shared by every request. */
export interface Services {
  ai: AiService;
  /** Present when the server runs the job queue (webhooks in). */
  events?: Events;
  /** Durable workflows (createCustomer): present on every server, on the queue when it runs one. */
  workflows?: WorkflowEngine;
  /** Import and reconciliation runs (src/sync/). */
  sync?: SyncService;
  /** What fires now on this server (Query.alerts). */
  alerts?: AlertMonitor;
  /** Issues, lists and revokes API keys (Query.apiKeys, createApiKey, revokeApiKey). */
  apiKeys?: ApiKeys;
  /** Verifies the audit chain with the server's key and anchors, walks shared between callers (Query.auditChain). */
  auditChain?: () => Promise<ChainCheck>;
  /** The audit trail's redaction, for the stored payloads the graph shows (WebhookEvent.payloadJson). */
  redact?: Redactor;
}

export interface Context {
  requestId: string;
  principal: Principal;
  /** The connector calls this operation caused (filled by the pipeline). */
  scope: OperationScope;
  logger: Logger;
  connectors: Connectors;
  services: Services;
  loaders: Loaders;
  /** Aborted when the client goes away or the server shuts down. */
  signal: AbortSignal;
  /** The caller's address (behind a proxy, as Fastify's trustProxy resolves it). */
  clientIp?: string;
  /** The operation's cost, once the limits have computed it (weights the inbound rate limit). */
  operationCost?: number;
  /** Set on an operation that came over GraphQL over WebSocket (src/ws/), unset over HTTP. */
  websocket?: WebSocketOperation;
  /** Over HTTP: puts the audit record in the request's one log line (false when that line is written already). */
  foldAudit?: (record: AuditRecord) => boolean;
}

/**
 * What the WebSocket transport and its Apollo plugin (src/ws/plugin.ts) share about one operation.
 * Apollo copies the context object shallowly, so this object is the same on both sides.
 */
export interface WebSocketOperation {
  /** apollographql-client-name and -version of the connection (a browser cannot set headers on a WebSocket). */
  client: { name: string | null; version: string | null };
  /** A refusal decided before Apollo parses the text (its size, the socket's operation cap), answered and audited through Apollo. */
  refusal?: GraphQLError;
  /** Set by the plugin: the operation's type once Apollo has resolved it. */
  operationType?: string;
  /** Set by the plugin for an accepted subscription: its source events, and how one is resolved. */
  stream?: SubscriptionStream;
}

/** An accepted subscription, all of it in the subscription's operation scope. */
export interface SubscriptionStream {
  /** The source's next event, and its end. */
  next(): Promise<IteratorResult<unknown>>;
  return(): Promise<unknown>;
  /** Resolves one event into the result sent to the client. */
  execute(event: unknown): Promise<ExecutionResult>;
  /** Run once when the stream ends, however it ends (the audit writes the subscription's record then). */
  readonly finished: (() => void)[];
}

export interface ContextInit {
  requestId: string;
  principal: Principal;
  logger: Logger;
  connectors: Connectors;
  /** Built once per server (createServices); unset: the defaults over `connectors`. */
  services?: Services;
  signal: AbortSignal;
  scope?: OperationScope;
  clientIp?: string;
  websocket?: WebSocketOperation;
  foldAudit?: (record: AuditRecord) => boolean;
}

export function createContext(init: ContextInit): Context {
  const scope = init.scope ?? newScope(init.requestId);
  // The scope exists before authentication (server.ts opens it per HTTP request); from here on
  // every connector call of the operation is charged to this principal's share of the quota.
  scope.principalId = init.principal.id;
  return { ...init, scope, services: init.services ?? createServices(init.connectors), loaders: createLoaders(init.connectors) };
}

const DEFAULT_SERVICES = new WeakMap<Connectors, Services>();

/** What the server gives the services beside the connectors. */
export interface ServiceExtras {
  /** The observability's price table (with AI_PRICES); unset: the providers' published prices. */
  prices?: PriceTable;
  /** Where budget alerts go (the alert monitor) and where ledger failures after a call are told. */
  onBudgetAlert?: AiBudgetsOptions['onAlert'];
  onBudgetError?: AiBudgetsOptions['onError'];
  /** Told of every AI call's usage (the metrics). */
  onAiUsage?: (entry: AiUsageEntry) => void;
  logger?: Logger;
}

/** The services over one set of connectors; `ai`: the capabilities (Config.ai; unset: the built-in chain over every AI instance). */
export function createServices(connectors: Connectors, ai?: AiRouting, extras: ServiceExtras = {}): Services {
  if (!ai) {
    let s = DEFAULT_SERVICES.get(connectors);
    if (!s) DEFAULT_SERVICES.set(connectors, (s = { ai: new AiService(connectors.aiProviders) }));
    return s;
  }
  const budgeted = Object.values(ai.capabilities).some((c) => c.budget || c.perPrincipal);
  const budgets = budgeted
    ? new AiBudgets({ redis: connectors.redis, store: connectors.store, onAlert: extras.onBudgetAlert, onError: extras.onBudgetError })
    : undefined;
  const usage = new AiUsageLog({ store: connectors.store.aiUsage, logger: extras.logger });
  if (extras.onAiUsage) usage.onRecord(extras.onAiUsage);
  return { ai: new AiService(connectors.aiProviders, ai, { prices: extras.prices, budgets, usage, cache: connectors.pipeline.cache }) };
}
