// Fastify + Apollo Server 5: /graphql (POST; GET for queries; GraphQL over WebSocket, src/ws/), /health/live, /health/ready (src/health.ts),
// /console (the operator console and its session, src/console/).
import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyServerOptions,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { GraphQLFormattedError } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Connectors } from './connectors/index.ts';
import { createContext, createServices, type Context, type Services } from './context.ts';
import { ErrorCode, formatError } from './errors/index.ts';
import { registerHealthRoutes } from './health.ts';
import { createEvents } from './events/index.ts';
import { createObservability, type Observability, type ObservabilityExtras } from './ops/observability.ts';
import { buildSchemas } from './schema.ts';
import { createExecution, type ExecutionCounts } from './execution/index.ts';
import { ApiKeys } from './auth/apiKeys.ts';
import { isDemoProcess } from './auth/demo.ts';
import { createAuthenticator } from './auth/resolve.ts';
import { ConsoleSessions } from './console/sessions.ts';
import { registerConsole } from './console/routes.ts';
import { limitExtensions, limitMessage } from './errors/limits.ts';
import { operationLimits, type DocumentStore } from './plugins/limits/index.ts';
import { persistedOperationsPlugin } from './plugins/safelist/index.ts';
import { currentScope, newScope, runInScope } from './pipeline/scope.ts';
import { createLimiter, spendOne } from './pipeline/limiter.ts';
import { FailedCredentials } from './auth/failures.ts';
import { errorLogPlugin } from './plugins/errors/index.ts';
import { sandboxLandingPage } from './plugins/landing/index.ts';
import { inboundRateLimitPlugin } from './plugins/ratelimit/index.ts';
import { freshnessPlugin } from './plugins/freshness/index.ts';
import { inputPlugin, literalInputRule } from './plugins/input/index.ts';
import { drainRefusedBody, jsonShapeRefusal, requestLogSerializers, type JsonShapeRefusal } from './http.ts';
import { createApqStore, type ApqStore } from './pipeline/cache/apq.ts';
import { budgetAlerts } from './alerts/budgets.ts';
import { countAiUsage } from './plugins/metrics/index.ts';
import { createTriggers, createWorkflows } from './workflows/index.ts';
import { createSync } from './sync/index.ts';
import { createFormatter, registerWebSocket, webSocketPlugin } from './ws/index.ts';
import { chainChecker, createRedactor } from './plugins/audit/index.ts';
import { foldAudit, registerAbortLog, RequestLog } from './ops/requestLog.ts';

export interface Server {
  app: FastifyInstance;
  apollo: ApolloServer<Context>;
  /** Audit writer, metrics, alerts and tracing of this server. */
  ops: Observability;
  /** Automatic persisted queries: a store of their own, bounded in bytes. */
  apq: ApqStore;
  /** Apollo's parsed documents, bounded by their estimated heap. */
  documents: DocumentStore;
  /** What resolvers call above the connectors (the AI service, the events when the queue runs). */
  services: Services;
  /** How many operations ran with their permissions decided up front, and under the shield. */
  execution: ExecutionCounts;
  /** Stops accepting, lets in-flight operations finish, then resolves. */
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function graphqlError(status: number, code: string, message: string) {
  return { status, body: { errors: [{ message, extensions: { code } }] } };
}

export async function createServer(config: Config, connectors: Connectors, logger: Logger, extras: ObservabilityExtras = {}): Promise<Server> {
  const exposeStack = config.exposeErrorStacks;
  const app = Fastify({
    // The logger's own serializers win over Fastify's: a request is logged by its path, never its query string.
    loggerInstance: logger.child({}, { serializers: requestLogSerializers }) as FastifyBaseLogger,
    // One line per request instead of Fastify's two, with the audit record in it (src/ops/requestLog.ts).
    logController: new RequestLog(),
    bodyLimit: config.bodyLimitBytes,
    // request.ip, which the limits per client address count by, is the socket's unless a trusted proxy forwards it.
    trustProxy: config.trustProxy as FastifyServerOptions['trustProxy'],
    // A caller's X-Request-Id is kept (when sane) so its logs and ours line up.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });

  registerAbortLog(app);

  const limits = operationLimits(config.graphql.limits);
  const apq = createApqStore(connectors.redis, {
    maxBytes: config.graphql.apqMaxBytes,
    maxEntryBytes: config.graphql.limits.maxDocumentBytes,
    defaultTtlSeconds: 86_400,
  });
  // Audit trail, metrics, alerts and tracing; closed with the server (src/ops/observability.ts).
  const ops = await createObservability(config, connectors, logger, extras);
  const { bare, shielded: schema } = buildSchemas();
  // Operations whose permissions are decided up front run compiled, without the per-field middleware.
  const execution = createExecution({ shielded: schema, bare, mode: config.graphql.executor });
  // One formatter for every error a client sees, over HTTP and WebSocket alike.
  const formatErrors = (formatted: GraphQLFormattedError, error: unknown) =>
    formatError(formatted, error, { exposeStack, maxTokens: config.graphql.limits.maxTokens });
  const format = createFormatter(formatErrors, exposeStack);
  const apollo = new ApolloServer<Context>({
    gateway: execution.gateway,
    introspection: config.graphql.introspection,
    csrfPrevention: true,
    parseOptions: limits.parseOptions,
    documentStore: limits.documentStore,
    // After the limits rule, which refuses an oversized document before its literals are read.
    validationRules: [...limits.validationRules, literalInputRule()],
    includeStacktraceInErrorResponses: exposeStack,
    formatError: formatErrors,
    // Apart from the read cache, so registrations (open to anonymous callers) never evict reads.
    persistedQueries: { cache: apq, ttl: 86_400 },
    plugins: [
      fastifyApolloDrainPlugin(app),
      // Switchyard sets no cache hints, so Apollo's per-field cache-control work is pure cost.
      ApolloServerPluginCacheControlDisabled(),
      errorLogPlugin(),
      ...ops.plugins,
      ...(config.persistedOperations ? [persistedOperationsPlugin(config.persistedOperations)] : []),
      // After the safelist, which must see the text as sent; does nothing for HTTP requests.
      webSocketPlugin(format.result),
      // Before the limits: a variable that does not coerce is BAD_USER_INPUT naming its field.
      inputPlugin(),
      // Before the rate limit: it weighs each operation by the cost this plugin computes.
      limits.plugin,
      inboundRateLimitPlugin({ ...config.inbound, redis: connectors.redis }),
      freshnessPlugin(),
      config.graphql.sandbox ? sandboxLandingPage() : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  ops.register(app);

  // Errors Fastify raises before Apollo sees the request (bad JSON, body too large, wrong
  // content type) get the same GraphQL error shape and a code, never a stack trace.
  app.setErrorHandler((err: FastifyError & { refusal?: JsonShapeRefusal }, request, reply) => {
    drainRefusedBody(request.raw, reply);
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) request.log.error({ err }, 'unhandled request error');
    const limit = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? { limit: 'bodySize' as const, max: config.bodyLimitBytes } : err.refusal;
    if (limit)
      return void reply.status(413).send({ errors: [{ message: limitMessage(limit.limit, limit.max), extensions: limitExtensions(limit.limit, limit.max) }] });
    const out =
      status === 500 ? graphqlError(500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error') : graphqlError(status, ErrorCode.BAD_REQUEST, err.message);
    void reply.status(out.status).send(out.body);
  });
  // A JSON body is measured before it is parsed (src/http.ts), then parsed by Fastify's own
  // parser, with its prototype-poisoning checks.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const refusal = jsonShapeRefusal(text, config.bodyShape);
    if (!refusal) return parseJson(request, text, done);
    done(Object.assign(new Error(limitMessage(refusal.limit, refusal.max)), { statusCode: 413, refusal }), undefined);
  });
  app.setNotFoundHandler((request, reply) => {
    const out = graphqlError(404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`);
    void reply.status(out.status).send(out.body);
  });

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  // Every request reads its credential afresh (an API key from the store, a JWT by its signature).
  const apiKeys = new ApiKeys(connectors.store, { logger, acceptDemoKeys: isDemoProcess(config) });
  // The console trades a credential for a session cookie (src/console/); a request with a header credential ignores the cookie.
  const failureLimit = createLimiter(connectors.redis, {
    keyPrefix: 'auth-failures',
    points: config.authFailures.points,
    durationMs: config.authFailures.windowMs,
  });
  const failures = new FailedCredentials((address) => spendOne(failureLimit, `ip:${address}`));
  const verifyHeaders = createAuthenticator({ jwt: config.jwt, apiKeys, failures });
  const sessions = new ConsoleSessions({
    store: connectors.store,
    apiKeys,
    verify: (credential, address) => verifyHeaders({ authorization: `Bearer ${credential}` }, undefined, address),
    ttlSeconds: config.consoleSessionTtlSeconds,
  });
  const authenticate = createAuthenticator({ jwt: config.jwt, apiKeys, session: sessions.fromHeaders, failures });
  // On the queue when the server has one (the runtime always does); a test stack without one runs them in-process.
  const workflows = createWorkflows({ connectors, jobs: extras.jobs, alerts: ops.alerts, logger, config: config.workflows });
  const events = extras.jobs
    ? createEvents(app, {
        onApplied: createTriggers(workflows, config.workflows, { connectors, logger }),
        connectors,
        jobs: extras.jobs,
        audit: ops.writer,
        alerts: ops.alerts,
        registry: ops.metrics.registry,
        logger,
        publicUrl: config.publicUrl,
        bodyLimitBytes: config.bodyLimitBytes,
        retries: config.jobs.webhookRetries,
        retryDelaySeconds: config.jobs.webhookRetryDelaySeconds,
      })
    : undefined;
  const ai = createServices(connectors, config.ai, {
    prices: ops.prices,
    onBudgetAlert: budgetAlerts(ops.alerts),
    onBudgetError: (err, during) =>
      logger.warn({ err, during }, 'AI budget ledger failed after a call (a failed settlement or release leaves its estimate charged)'),
    onAiUsage: (entry) => countAiUsage(ops.metrics, entry),
    logger,
  });
  // Usage rows still in their batch are written before the store closes.
  app.addHook('onClose', () => ai.ai.usage.close());
  // Reconciliation repairs a field mismatch towards the owner the two-way sync follows.
  const sync = createSync({
    connectors,
    workflows,
    jobs: extras.jobs,
    alerts: ops.alerts,
    logger,
    config: config.sync,
    fieldOwners: config.workflows.fieldOwners,
  });
  const services: Services = {
    ...ai,
    ...(events ? { events } : {}),
    workflows,
    sync,
    alerts: ops.alerts,
    apiKeys,
    auditChain: chainChecker(connectors.store.audit, config.audit),
    // Stored payloads are shown as the audit keeps variables, but never raw: AUDIT_REDACTION=none
    // is a choice about the trail, and reads here as the default (names listed still redacted).
    redact: createRedactor({ ...config.audit.redaction, mode: config.audit.redaction.mode === 'none' ? 'default' : config.audit.redaction.mode }),
  };
  const wsHandler = await registerWebSocket(app, {
    config: config.websocket,
    maxMessageBytes: config.bodyLimitBytes,
    closeGraceMs: Math.min(config.shutdownGraceMs, 5_000),
    authenticate,
    schema,
    apollo,
    connectors,
    services,
    ops,
    registry: ops.metrics.registry,
    format,
    documentSizeRefusal: limits.documentSizeRefusal,
    audit: { sink: ops.writer, redact: createRedactor(config.audit.redaction) },
  });
  const graphql = fastifyApolloHandler(apollo, {
    context: async (request) => {
      const scope = currentScope() ?? newScope(request.id);
      return createContext({
        requestId: request.id,
        principal: await authenticate(request.headers, request.log as Logger, request.ip),
        logger: request.log as Logger,
        connectors,
        services,
        signal: scope.signal ?? new AbortController().signal,
        scope,
        clientIp: request.ip,
        foldAudit: (record) => foldAudit(request, record),
      });
    },
  });
  // Each GraphQL request runs inside its own operation scope, so the pipeline can attribute
  // every connector call (also those made from DataLoader batches) to the request that caused it,
  // and, with tracing on, inside its operation's span, which the calls' spans are children of.
  function handler(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    // Aborted when the client disconnects before the answer is sent: pending upstream calls stop.
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const scope = newScope(request.id, abort.signal);
    return runInScope(scope, () =>
      ops.aroundRequest(request.headers, () => graphql.call(this, request as Parameters<typeof graphql>[0], reply as Parameters<typeof graphql>[1])),
    );
  }
  // An oversized query text is refused before Apollo parses it (plugins/limits/source.ts).
  app.route({ method: ['POST', 'OPTIONS'], url: '/graphql', preHandler: limits.httpGate, handler });
  // GET is a query or the Sandbox page; with Upgrade: websocket, GraphQL over WebSocket (src/ws/).
  app.route({ method: 'GET', url: '/graphql', preHandler: limits.httpGate, handler, wsHandler });

  registerHealthRoutes(app, { connectors, authenticate });
  await registerConsole(app, sessions, {
    signInLimiter: createLimiter(connectors.redis, {
      keyPrefix: 'console-signin',
      points: config.consoleSignIn.points,
      durationMs: config.consoleSignIn.windowMs,
    }),
  });

  return {
    app,
    apollo,
    ops,
    apq,
    documents: limits.documentStore,
    services,
    execution: execution.counts,
    close: async () => {
      workflows.stop();
      sync.stop();
      await app.close();
    },
  };
}
