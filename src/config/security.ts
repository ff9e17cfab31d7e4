// The security part of the configuration: JWT verification, introspection, the Sandbox page,
// operation limits (the request body's shape among them) and persisted operations (README:
// "Authentication", "Operation limits").
import { z } from 'zod';
import type { Config } from '../config.ts';
import { count, flag, invalid, url } from './env.ts';

/** The operation limits' defaults (GRAPHQL_MAX_*; the limits plugin documents each). */
export const LIMIT_DEFAULTS = { maxDepth: 12, maxAliases: 30, maxTokens: 3_000, maxDocumentBytes: 32_768, maxCost: 10_000 } as const;

// Authentication, introspection and operation limits (see README, "Authentication" and "Limits").
export const SecurityEnv = {
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters (HS256 needs a 256-bit key)').optional(),
  JWT_JWKS_URL: url('JWT_JWKS_URL').optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_ALGORITHMS: z
    .string()
    .regex(/^[A-Za-z0-9]+(,[A-Za-z0-9]+)*$/, 'JWT_ALGORITHMS: a comma-separated list, e.g. RS256,ES256')
    .optional(),
  JWT_CLOCK_SKEW_SECONDS: count(0, 300).default(30),
  JWT_ROLE_CLAIM: z.string().min(1).default('role'),
  GRAPHQL_INTROSPECTION: flag.optional(),
  GRAPHQL_SANDBOX: flag.optional(),
  GRAPHQL_EXECUTOR: z.enum(['compiled', 'standard'], { message: 'GRAPHQL_EXECUTOR must be compiled or standard' }).default('compiled'),
  GRAPHQL_MAX_DEPTH: count(1, 100).default(LIMIT_DEFAULTS.maxDepth),
  GRAPHQL_MAX_ALIASES: count(0, 10_000).default(LIMIT_DEFAULTS.maxAliases),
  GRAPHQL_MAX_TOKENS: count(100, 1_000_000).default(LIMIT_DEFAULTS.maxTokens),
  GRAPHQL_MAX_DOCUMENT_BYTES: count(1_024, 50 * 1_048_576).default(LIMIT_DEFAULTS.maxDocumentBytes),
  GRAPHQL_MAX_COST: count(1, 100_000_000).default(LIMIT_DEFAULTS.maxCost),
  BODY_MAX_DEPTH: count(2, 1_000).default(32),
  BODY_MAX_VALUES: count(100, 10_000_000).default(5_000),
  APQ_CACHE_MAX_BYTES: count(1_048_576, 1_073_741_824).default(8_388_608),
  PERSISTED_OPERATIONS_MANIFEST: z.string().min(1).optional(),
  PERSISTED_OPERATIONS_MODE: z.enum(['accept', 'safelist']).default('accept'),
  CURSOR_SECRET: z.string().min(32, 'CURSOR_SECRET must be at least 32 characters').optional(),
  DEMO_KEY_TTL_SECONDS: count(3, 86_400).default(60),
  CONSOLE_SESSION_TTL_SECONDS: count(60, 7 * 86_400).default(28_800),
  CONSOLE_SIGNIN_LIMIT: count(1, 10_000).default(10),
  AUTH_FAILURE_LIMIT: count(1, 1_000_000).default(50),
  AUTH_FAILURE_WINDOW_MS: count(1_000, 86_400_000).default(60_000),
  CONSOLE_SIGNIN_WINDOW_MS: count(1_000, 3_600_000).default(60_000),
};

type SecurityEnvValues = z.infer<z.ZodObject<typeof SecurityEnv>> & { NODE_ENV: string };

export interface JwtConfig {
  /** HS256 shared secret; or */
  secret: string | undefined;
  /** the identity provider's JWKS endpoint (asymmetric keys, fetched and cached by jose). */
  jwksUrl: string | undefined;
  issuer: string;
  audience: string;
  algorithms: string[];
  clockSkewSeconds: number;
  /** The claim naming the Switchyard role (e.g. `https://example.com/role` for Auth0). */
  roleClaim: string;
}

export interface OperationLimitsConfig {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDocumentBytes: number;
  maxCost: number;
}

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

function jwtConfig(e: SecurityEnvValues): JwtConfig | undefined {
  if (e.JWT_SECRET && e.JWT_JWKS_URL) throw invalid('JWT_SECRET', 'set either JWT_SECRET or JWT_JWKS_URL, not both');
  if (!e.JWT_SECRET && !e.JWT_JWKS_URL) {
    const stray = (['JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_ALGORITHMS'] as const).find((n) => e[n] !== undefined);
    if (stray) throw invalid(stray, 'has no effect without JWT_SECRET or JWT_JWKS_URL');
    return undefined;
  }
  // Issuer and audience are required so a token minted for another service is never accepted here.
  if (!e.JWT_ISSUER) throw invalid('JWT_ISSUER', 'is required when JWTs are accepted (JWT_SECRET or JWT_JWKS_URL)');
  if (!e.JWT_AUDIENCE) throw invalid('JWT_AUDIENCE', 'is required when JWTs are accepted (JWT_SECRET or JWT_JWKS_URL)');
  if (e.JWT_JWKS_URL && e.NODE_ENV === 'production' && !e.JWT_JWKS_URL.startsWith('https://')) {
    throw invalid('JWT_JWKS_URL', 'must be https:// when NODE_ENV=production');
  }
  const allowed = e.JWT_SECRET ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
  const algorithms = e.JWT_ALGORITHMS?.split(',') ?? (e.JWT_SECRET ? ['HS256'] : ['RS256', 'PS256', 'ES256', 'EdDSA']);
  const wrong = algorithms.find((a) => !allowed.includes(a));
  if (wrong) throw invalid('JWT_ALGORITHMS', `${wrong} is not usable with ${e.JWT_SECRET ? 'JWT_SECRET' : 'JWT_JWKS_URL'} (allowed: ${allowed.join(', ')})`);
  return {
    secret: e.JWT_SECRET,
    jwksUrl: e.JWT_JWKS_URL,
    issuer: e.JWT_ISSUER,
    audience: e.JWT_AUDIENCE,
    algorithms,
    clockSkewSeconds: e.JWT_CLOCK_SKEW_SECONDS,
    roleClaim: e.JWT_ROLE_CLAIM,
  };
}

export function securityConfig(
  e: SecurityEnvValues,
): Pick<
  Config,
  'jwt' | 'graphql' | 'persistedOperations' | 'bodyShape' | 'cursorSecret' | 'demoKeyTtlSeconds' | 'consoleSessionTtlSeconds' | 'consoleSignIn' | 'authFailures'
> {
  if (e.PERSISTED_OPERATIONS_MODE === 'safelist' && !e.PERSISTED_OPERATIONS_MANIFEST) {
    throw invalid('PERSISTED_OPERATIONS_MODE', 'safelist needs PERSISTED_OPERATIONS_MANIFEST (the path of the manifest)');
  }
  const notProduction = e.NODE_ENV !== 'production';
  return {
    jwt: jwtConfig(e),
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION ? e.GRAPHQL_INTROSPECTION === 'true' : notProduction,
      sandbox: e.GRAPHQL_SANDBOX ? e.GRAPHQL_SANDBOX === 'true' : notProduction,
      executor: e.GRAPHQL_EXECUTOR,
      apqMaxBytes: e.APQ_CACHE_MAX_BYTES,
      limits: {
        maxDepth: e.GRAPHQL_MAX_DEPTH,
        maxAliases: e.GRAPHQL_MAX_ALIASES,
        maxTokens: e.GRAPHQL_MAX_TOKENS,
        maxDocumentBytes: e.GRAPHQL_MAX_DOCUMENT_BYTES,
        maxCost: e.GRAPHQL_MAX_COST,
      },
    },
    persistedOperations: e.PERSISTED_OPERATIONS_MANIFEST ? { manifest: e.PERSISTED_OPERATIONS_MANIFEST, mode: e.PERSISTED_OPERATIONS_MODE } : undefined,
    bodyShape: { maxDepth: e.BODY_MAX_DEPTH, maxValues: e.BODY_MAX_VALUES },
    cursorSecret: e.CURSOR_SECRET,
    demoKeyTtlSeconds: e.DEMO_KEY_TTL_SECONDS,
    consoleSessionTtlSeconds: e.CONSOLE_SESSION_TTL_SECONDS,
    consoleSignIn: { points: e.CONSOLE_SIGNIN_LIMIT, windowMs: e.CONSOLE_SIGNIN_WINDOW_MS },
    authFailures: { points: e.AUTH_FAILURE_LIMIT, windowMs: e.AUTH_FAILURE_WINDOW_MS },
  };
}
