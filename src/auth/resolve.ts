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
import { unauthenticated } from './errors.ts';

export type Authenticate = (headers: IncomingHttpHeaders, log?: Logger) => Promise<Principal>;

const BEARER = /^Bearer +(\S+) *$/i;

export interface AuthenticatorOptions {
  jwt: JwtConfig | undefined;
  apiKeys: ApiKeys;
  /** A request without a header credential: the principal of its console session, or null (src/console/sessions.ts). */
  session?: (headers: IncomingHttpHeaders) => Promise<Principal | null>;
}

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

  return async (headers, log) => {
    try {
      return await resolve(headers);
    } catch (err) {
      // The reason and the key id only: never the credential itself.
      const reason = (err as { extensions?: { reason?: unknown } }).extensions?.reason;
      log?.info({ reason, via: headers['x-api-key'] === undefined ? 'authorization' : 'x-api-key' }, 'authentication refused');
      throw err;
    }
  };
}
