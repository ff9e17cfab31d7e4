// Request headers -> Principal. No credential is anonymous; a credential that is present but
// malformed, wrong, expired or revoked is UNAUTHENTICATED for the whole request.
//   Authorization: Bearer <JWT>       (when JWT_SECRET or JWT_JWKS_URL is set)
//   Authorization: Bearer syk_...     (an API key)
//   X-Api-Key: syk_...                (an API key; easier to paste into Apollo Sandbox)
//   Cookie: sy_console=... with X-Csrf-Token (an operator console session, src/console/sessions.ts;
//                                     the cookie alone counts for nothing; a header credential wins)
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { JwtConfig } from '../config.ts';
import { ANONYMOUS, type Principal } from './principal.ts';
import { looksLikeApiKey, type ApiKeys } from './apiKeys.ts';
import { createJwtVerifier } from './jwt.ts';
import { tooManyFailures, unauthenticated, type AuthFailure } from './errors.ts';
import type { FailedCredentials } from './failures.ts';

/** `address`: the client's, whose refused credentials are counted (src/auth/failures.ts). */
export type Authenticate = (headers: IncomingHttpHeaders, log?: Logger, address?: string) => Promise<Principal>;

const BEARER = /^Bearer +(\S+) *$/i;

export interface AuthenticatorOptions {
  jwt: JwtConfig | undefined;
  apiKeys: ApiKeys;
  /** A request without a header credential: the principal of its console session, or null (src/console/sessions.ts). */
  session?: (headers: IncomingHttpHeaders) => Promise<Principal | null>;
  /** Refused credentials per client address; an address past the limit is refused unread. */
  failures?: FailedCredentials;
}

// A console session is checked only when the page sends its CSRF token (the cookie alone is anonymous).
const presents = (h: IncomingHttpHeaders) => h.authorization !== undefined || h['x-api-key'] !== undefined || h['x-csrf-token'] !== undefined;
// Refusals that a guess gets: a key that is unknown or wrong, a bad signature or algorithm, a
// credential that cannot be read. Stale ones (expired, revoked, an ended console session, a wrong
// claim on a good signature) are not counted: a client behind the same address still using an old
// token would otherwise lock its neighbours out.
const GUESSES: ReadonlySet<AuthFailure> = new Set(['malformed', 'invalid_api_key', 'invalid_signature', 'algorithm_not_allowed']);
const guessed = (err: unknown) => {
  const ext = (err as { extensions?: { code?: unknown; reason?: unknown } }).extensions;
  return ext?.code === 'UNAUTHENTICATED' && GUESSES.has(ext.reason as AuthFailure);
};

export function createAuthenticator(opts: AuthenticatorOptions): Authenticate {
  const jwt = opts.jwt ? createJwtVerifier(opts.jwt) : undefined;

  const resolve = async (headers: IncomingHttpHeaders): Promise<Principal> => {
    const authorization = headers.authorization;
    const apiKey = headers['x-api-key'];
    if (authorization !== undefined && apiKey !== undefined) {
      throw unauthenticated('ambiguous', 'Send one credential: Authorization or X-Api-Key, not both');
    }
    if (apiKey !== undefined) {
      if (Array.isArray(apiKey)) throw unauthenticated('ambiguous', 'Send one X-Api-Key header');
      return opts.apiKeys.verify(apiKey.trim());
    }
    if (authorization === undefined) return (await opts.session?.(headers)) ?? ANONYMOUS;
    const token = BEARER.exec(authorization)?.[1];
    if (!token) throw unauthenticated('malformed', 'Authorization must be "Bearer <token or API key>"');
    if (looksLikeApiKey(token)) return opts.apiKeys.verify(token);
    if (!jwt) throw unauthenticated('jwt_not_configured', 'This server accepts no JWTs (JWT_SECRET or JWT_JWKS_URL is unset); use an API key');
    return jwt.verify(token);
  };

  const failures = opts.failures;
  return async (headers, log, address) => {
    const counted = failures && address !== undefined && presents(headers);
    if (counted) {
      const waitMs = failures.waitMs(address);
      if (waitMs > 0) throw tooManyFailures(waitMs);
    }
    try {
      return await resolve(headers);
    } catch (err) {
      // The reason and the key id only: never the credential itself.
      const reason = (err as { extensions?: { reason?: unknown } }).extensions?.reason;
      log?.info({ reason, via: headers['x-api-key'] === undefined ? 'authorization' : 'x-api-key' }, 'authentication refused');
      // Counting must never replace the refusal the caller gets.
      if (counted && guessed(err)) await failures.failed(address).catch(() => undefined);
      throw err;
    }
  };
}
