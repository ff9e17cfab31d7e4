// The observability part of the configuration: audit trail, alerts, AI prices and tracing
// (README: "Audit, metrics and alerts").
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { count, url } from './env.ts';

// Audit trail, alerts, AI prices and tracing (see README, "Audit, metrics and alerts"); where
// alerts are sent is the notification connector's own configuration.
const NAME_LIST = /^[A-Za-z_][A-Za-z0-9_-]*(,[A-Za-z_][A-Za-z0-9_-]*)*$/;
const AiPrices = z.record(
  z.string().min(1),
  z
    .object({
      input: z.number().min(0),
      output: z.number().min(0),
      cachedInput: z.number().min(0).optional(),
      cacheWrite: z.number().min(0).optional(),
      reasoning: z.number().min(0).optional(),
    })
    .strict(),
);
export const ObservabilityEnv = {
  AUDIT_VARIABLES: z.enum(['none', 'default', 'all']).default('default'),
  AUDIT_REDACT_NAMES: z.string().regex(NAME_LIST, 'AUDIT_REDACT_NAMES: comma-separated variable names, e.g. phone,birthDate').optional(),
  AUDIT_AI_PROMPTS: z.enum(['redact', 'keep']).default('redact'),
  AUDIT_BUFFER_MAX: count(100, 10_000_000).default(10_000),
  AUDIT_SPOOL_DIR: z.string().min(1).optional(),
  AUDIT_HMAC_KEY: z.string().min(32, 'AUDIT_HMAC_KEY must be at least 32 characters (a 256-bit key, e.g. `openssl rand -hex 32`)').optional(),
  AUDIT_ANCHOR_FILE: z.string().min(1).optional(),
  AUDIT_ANCHOR_INTERVAL_MS: count(1_000, 86_400_000).default(60_000),
  AUDIT_CHAIN_REUSE_MS: count(0, 3_600_000).default(30_000),
  ALERT_ERROR_RATE: z.coerce.number().gt(0).max(1).default(0.5),
  ALERT_ERROR_RATE_MIN_CALLS: count(1, 1_000_000).default(20),
  AI_PRICES: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'AI_PRICES must be JSON like {"model":{"input":0.15,"output":0.6}} (USD per 1M tokens)' });
        return z.NEVER;
      }
    })
    .pipe(AiPrices)
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: url('OTEL_EXPORTER_OTLP_ENDPOINT').optional(),
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .regex(/^[^=,]+=[^,]*(,[^=,]+=[^,]*)*$/, 'OTEL_EXPORTER_OTLP_HEADERS: key=value pairs separated by commas')
    .optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('switchyard'),
};

type ObservabilityEnvValues = z.infer<z.ZodObject<typeof ObservabilityEnv>> & { DATA_DIR: string };

export function observabilityConfig(e: ObservabilityEnvValues): Pick<Config, 'audit' | 'alerts' | 'aiPrices' | 'otel'> {
  const headers = Object.fromEntries(
    (e.OTEL_EXPORTER_OTLP_HEADERS?.split(',') ?? []).map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at).trim(), decodeURIComponent(pair.slice(at + 1).trim())];
    }),
  );
  return {
    audit: {
      redaction: { mode: e.AUDIT_VARIABLES, names: e.AUDIT_REDACT_NAMES?.split(',') ?? [], aiPrompts: e.AUDIT_AI_PROMPTS },
      bufferMax: e.AUDIT_BUFFER_MAX,
      spoolDir: e.AUDIT_SPOOL_DIR ?? path.join(e.DATA_DIR, 'audit-spool'),
      hmacKey: e.AUDIT_HMAC_KEY,
      anchorFile: e.AUDIT_ANCHOR_FILE ?? path.join(e.DATA_DIR, 'audit-anchors.jsonl'),
      anchorIntervalMs: e.AUDIT_ANCHOR_INTERVAL_MS,
      chainReuseMs: e.AUDIT_CHAIN_REUSE_MS,
    },
    alerts: { errorRateThreshold: e.ALERT_ERROR_RATE, errorRateMinCalls: e.ALERT_ERROR_RATE_MIN_CALLS },
    aiPrices: e.AI_PRICES ?? {},
    otel: e.OTEL_EXPORTER_OTLP_ENDPOINT ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, headers, serviceName: e.OTEL_SERVICE_NAME } : undefined,
  };
}
