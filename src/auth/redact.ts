// What pino must never write: credentials and anything named like a secret, at the places the
// code logs objects. Paths are explicit: a wildcard (`*.token`) makes pino walk every logged
// object, on every line. What is logged: a few top-level fields per line; `req` (only what
// requestLogSerializers keeps, headers never); `err` (pino's error serializer keeps an SDK error's own fields: headers, the
// upstream's error body, its cause); `audit` (a record: its variables are the client's, as the
// audit policy keeps them). A secret inside a message string is caught by the log-grep test
// (test/e2e/secrets.test.ts), not here.
import { requestLogSerializers } from '../http.ts';

export const LOG_SECRET_KEYS = [
  'authorization',
  'x-api-key',
  'cookie',
  'set-cookie',
  'apiKey',
  'api_key',
  'accessToken',
  'access_token',
  'secret',
  'secretKey',
  'secretHash',
  'password',
  'token',
  'jwt',
  'databaseUrl',
  'connectionString',
];

// Under the keys every request line has (`req`, `audit`), pino's redaction costs about half a
// microsecond per path on every line, present or not: `req` is always serialised by
// requestLogSerializers (headers never kept), so it needs none, and the audit record's
// variables are checked by the serializer below, at those same paths (audit.variables.<name>),
// in one pass.
const PARENTS = ['', 'err', 'err.headers', 'err.raw', 'err.raw.headers', 'err.error', 'err.body', 'err.cause'];

const quoted = (k: string) => `["${k}"]`;

export const LOG_REDACT_PATHS: string[] = PARENTS.flatMap((p) => LOG_SECRET_KEYS.map((k) => `${p}${quoted(k)}`));

export const LOG_REDACTION = { paths: LOG_REDACT_PATHS, censor: '[redacted]' } as const;

/** audit.variables.<secret name> censored, the record otherwise as it is (a copy only when one is found). */
function auditForLog(record: unknown): unknown {
  const variables = (record as { variables?: unknown } | null)?.variables;
  if (!variables || typeof variables !== 'object' || Array.isArray(variables)) return record;
  const found = LOG_SECRET_KEYS.filter((k) => Object.hasOwn(variables, k));
  if (!found.length) return record;
  const censored: Record<string, unknown> = { ...variables };
  for (const k of found) censored[k] = LOG_REDACTION.censor;
  return { ...(record as object), variables: censored };
}

/** The options every Switchyard logger is made with, so no line carries a secret; a request is logged by what requestLogSerializers keeps, never its headers. */
export const LOG_SAFETY = { redact: LOG_REDACTION, serializers: { req: requestLogSerializers.req, audit: auditForLog } };
