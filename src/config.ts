// The only reader of the environment: one typed, validated Config. Every variable is listed in
// README.md with its default; a bad value throws ConfigError naming the variable, and the CLI
// turns that into a non-zero exit with the message.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, invalid, ms, port, url } from './config/env.ts';
import { ObservabilityEnv, observabilityConfig } from './config/observability.ts';
import { OutboundEnv, outboundConfig } from './config/outbound.ts';
import { SecurityEnv, securityConfig, type JwtConfig, type OperationLimitsConfig } from './config/security.ts';
import { JobsEnv, jobsConfig, type JobsConfig } from './config/jobs.ts';
import { WorkflowsEnv, workflowsConfig, type WorkflowsConfig } from './config/workflows.ts';
import { SyncEnv, syncConfig, type SyncConfig } from './config/sync.ts';
import { WebSocketEnv, webSocketConfig, type WebSocketConfig } from './config/websocket.ts';
import { AiEnv, aiConfig, type AiConfig } from './config/ai.ts';
import {
  EmulatorPortsEnv,
  checkPolicyKeys,
  connectorEnv,
  connectorInstances,
  connectorSecrets,
  emulatorPorts,
  loadPolicyFile,
  parseInstances,
} from './config/connectors.ts';
import type { InstanceConfig } from './connectors/module.ts';
import type { PolicyFile } from './pipeline/policies.ts';

export { ConfigError } from './config/env.ts';
export type { JwtConfig, OperationLimitsConfig } from './config/security.ts';

/** Secrets may also come from a file (NAME_FILE=/run/secrets/name), as Docker and Kubernetes mount them; the connector modules add theirs. */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'REDIS_URL',
  'JWT_SECRET',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'AUDIT_HMAC_KEY',
  'CURSOR_SECRET',
  ...connectorSecrets([]),
];

const BaseEnv = {
  ...SecurityEnv,
  ...ObservabilityEnv,
  ...JobsEnv,
  ...WorkflowsEnv,
  ...SyncEnv,
  ...WebSocketEnv,
  ...OutboundEnv,
  ...AiEnv,
  ...EmulatorPortsEnv,
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: url('PUBLIC_URL').optional(),
  PORT: port.default(4000),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|\d{1,2}|[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*)$/,
      'TRUST_PROXY: true, false, a number of hops, or comma-separated proxy addresses or CIDRs',
    )
    .default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  DEMO: z.enum(['auto', 'true', 'false']).default('auto'),
  CONNECTOR_INSTANCES: z.string().optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'REDIS_KEY_PREFIX: letters, digits and : _ . - only')
    .default('sy:'),
  POLICY_FILE: z.string().min(1).optional(),
  CACHE_MAX_ENTRIES: z.coerce.number().int().min(100).max(10_000_000).default(10_000),
  INBOUND_RATE_LIMIT: z.coerce.number().int().min(1).default(60_000),
  INBOUND_RATE_WINDOW_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  INBOUND_BURST: z.coerce.number().int().min(0).default(10_000),
  SHUTDOWN_GRACE_MS: ms.default(10_000),
  EXPOSE_ERROR_STACKS: z.enum(['true', 'false']).default('false'),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(50 * 1_048_576)
    .default(1_048_576),
};
export type Env = z.infer<z.ZodObject<typeof BaseEnv>>;

export interface Config {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  /** Fastify's trustProxy: whose X-Forwarded-For names the client (its address counts for the limits per address). */
  trustProxy: boolean | number | string[];
  /** The base URL callers reach this server at (behind a proxy); webhook signatures cover it. */
  publicUrl: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  databaseUrl: string | undefined;
  dataDir: string;
  /** Fixed ports of the emulators, by connector module (0: a free one). */
  emulatorPorts: Record<string, number>;
  /** Every connector instance, in registry order, then CONNECTOR_INSTANCES' (src/connectors/registry.ts). */
  connectors: InstanceConfig[];
  /** The AI router's capabilities and their provider chains (src/config/ai.ts). */
  ai: AiConfig;
  redisUrl: string | undefined;
  /** Put before every Redis key, so several deployments can share one Redis. */
  redisKeyPrefix: string;
  /** Per-connector and per-operation overrides of the pipeline's policy table (POLICY_FILE, validated). */
  policies: PolicyFile;
  cacheMaxEntries: number;
  /** Inbound limit per principal: `points` of operation cost per `windowMs`, plus `burst`. */
  inbound: { points: number; windowMs: number; burst: number };
  /** Most of a provider's quota window one principal may take (0-1; 1: no cap). */
  outbound: { principalShare: number };
  shutdownGraceMs: number;
  bodyLimitBytes: number;
  /** A JSON body nested deeper, or holding more values, is refused before it is parsed (413). */
  bodyShape: { maxDepth: number; maxValues: number };
  /** Stack traces in error responses: a debugging aid, refused in production. */
  exposeErrorStacks: boolean;
  /** Unset: no JWTs accepted (API keys still are). */
  jwt: JwtConfig | undefined;
  /** apqMaxBytes: the in-memory APQ store's size (documents, not the read cache). */
  graphql: { introspection: boolean; sandbox: boolean; executor: 'compiled' | 'standard'; apqMaxBytes: number; limits: OperationLimitsConfig };
  /** Key of the graph's cursor signatures; unset: a generated one kept in the store. */
  cursorSecret: string | undefined;
  /** A demo key dies this long after its demo process last renewed it (src/auth/demo.ts). */
  demoKeyTtlSeconds: number;
  /** A console session ends this long after sign-in (or when its JWT expires, or its API key is revoked). */
  consoleSessionTtlSeconds: number;
  /** Sign-in attempts (right or wrong) per client address per window at POST /console/api/session. */
  consoleSignIn: { points: number; windowMs: number };
  /** Refused credentials per client address per window before its credentials are refused unread (src/auth/failures.ts). */
  authFailures: { points: number; windowMs: number };
  /** Unset: no manifest; every operation is parsed as sent. */
  persistedOperations: { manifest: string; mode: 'accept' | 'safelist' } | undefined;
  audit: {
    redaction: { mode: Env['AUDIT_VARIABLES']; names: string[]; aiPrompts: Env['AUDIT_AI_PROMPTS'] };
    bufferMax: number;
    /** Where records wait while the database is down (default DATA_DIR/audit-spool). */
    spoolDir: string;
    /** Keys the MAC of every row; never stored in the database. Unset: no MACs (refused in production). */
    hmacKey: string | undefined;
    /** Where the chain's head is anchored, outside the database (default DATA_DIR/audit-anchors.jsonl). */
    anchorFile: string;
    anchorIntervalMs: number;
    /** Query.auditChain answers a walk of the whole chain that started this recently again (0: every call walks). */
    chainReuseMs: number;
  };
  alerts: { errorRateThreshold: number; errorRateMinCalls: number };
  /** USD per 1M input/output tokens, over the built-in table (src/ops/prices.ts). */
  aiPrices: Record<string, { input: number; output: number }>;
  /** Set when OTEL_EXPORTER_OTLP_ENDPOINT is: spans go to <endpoint>/v1/traces. */
  otel: { endpoint: string; headers: Record<string, string>; serviceName: string } | undefined;
  /** The background job queue (pg-boss, src/jobs/). */
  jobs: JobsConfig;
  /** Durable workflows (src/workflows/). */
  workflows: WorkflowsConfig;
  /** Import and reconciliation (src/sync/). */
  sync: SyncConfig;
  /** GraphQL over WebSocket at /graphql (src/ws/). */
  websocket: WebSocketConfig;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty value (FOO= in an env file) means unset, so the default applies.
  const given = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1].trim() !== ''));
  // Extra instances first: they decide which variables exist.
  const extra = parseInstances(given.CONNECTOR_INSTANCES);
  const secretNames = [...SECRET_VARIABLES, ...connectorSecrets(extra).filter((n) => !SECRET_VARIABLES.includes(n))];
  const SECRETS = new Set<string>(secretNames);
  const source = readSecretFiles(given, secretNames);
  const parsed = z.object({ ...BaseEnv, ...connectorEnv(extra) }).safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '');
      const got = source[name];
      // A secret's value is never echoed: this message reaches the terminal and the logs.
      return `${name}: ${i.message}${got === undefined || SECRETS.has(name) ? '' : ` (got ${JSON.stringify(got)})`}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data as Env & Record<string, unknown>;
  if (e.EXPOSE_ERROR_STACKS === 'true' && e.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration:\n  EXPOSE_ERROR_STACKS: must not be true when NODE_ENV=production');
  }
  const connectors = connectorInstances(e, e.DEMO, extra);
  const policies = e.POLICY_FILE ? loadPolicyFile(e.POLICY_FILE) : {};
  if (e.POLICY_FILE) checkPolicyKeys(e.POLICY_FILE, policies, connectors);
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    trustProxy: trustProxy(e.TRUST_PROXY),
    publicUrl: e.PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    emulatorPorts: emulatorPorts(e.DEMO_EMULATOR_PORTS),
    connectors,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    policies,
    cacheMaxEntries: e.CACHE_MAX_ENTRIES,
    inbound: { points: e.INBOUND_RATE_LIMIT, windowMs: e.INBOUND_RATE_WINDOW_MS, burst: e.INBOUND_BURST },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    exposeErrorStacks: e.EXPOSE_ERROR_STACKS === 'true',
    ...securityConfig(e),
    ...observabilityConfig(e),
    ...jobsConfig(e),
    ...workflowsConfig(e, connectors),
    ...syncConfig(e),
    ...webSocketConfig(e),
    ...outboundConfig(e),
    ...aiConfig(e, connectors),
  };
}

function readSecretFiles(source: Record<string, string>, names: readonly string[]): Record<string, string> {
  const out = { ...source };
  for (const name of names) {
    const file = source[`${name}_FILE`];
    if (file === undefined) continue;
    if (source[name] !== undefined) throw invalid(`${name}_FILE`, `set either ${name} or ${name}_FILE, not both`);
    let value: string;
    try {
      value = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw invalid(`${name}_FILE`, `cannot read ${JSON.stringify(file)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    if (!value) throw invalid(`${name}_FILE`, `${JSON.stringify(file)} is empty`);
    out[name] = value;
  }
  return out;
}

/** One connector instance's configuration, by name (undefined when there is none). */
export function instanceConfig(config: Pick<Config, 'connectors'>, name: string): InstanceConfig | undefined {
  return config.connectors.find((c) => c.name === name);
}

/** TRUST_PROXY as Fastify takes it: false (the socket's address is the client's), true, a hop count, or the proxies' addresses. */
function trustProxy(value: string): boolean | number | string[] {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',');
}
