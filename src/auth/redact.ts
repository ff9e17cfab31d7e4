// What pino must never write: credentials in headers and anything named like a secret, at the
// top level and up to two levels down (pino's redaction works on paths, not values, so a secret
// inside a message string is caught by the log-grep test, not here).
const SECRET_KEYS = [
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

const quoted = (k: string) => `["${k}"]`;

export const LOG_REDACT_PATHS: string[] = SECRET_KEYS.flatMap((k) => [quoted(k), `*${quoted(k)}`, `*.*${quoted(k)}`]);

export const LOG_REDACTION = { paths: LOG_REDACT_PATHS, censor: '[redacted]' } as const;
