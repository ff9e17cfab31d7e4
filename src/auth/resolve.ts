// Request headers -> Principal. No credential is anonymous; a credential that is present but
// malformed, wrong, expired or revoked is UNAUTHENTICATED for the whole request.
//   Authorization: Bearer <JWT>       (when JWT_SECRET or JWT_JWKS_URL is set)
//   Authorization: Bearer syk_...     (an API key)
//   X-Api-Key: syk_...                (an API key; easier to paste into Apollo Sandbox)
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { JwtConfig } from '../config.ts';
import { ANONYMOUS, type Principal } from './principal.ts';
import { looksLikeApiKey, type ApiKeys } from './apiKeys.ts';
import { createJwtVerifier } from './jwt.ts';
import { unauthenticated } from './errors.ts';

export type Authenticate = (headers: IncomingHttpHeaders, log?: Logger) => Promise<Principal>;

const BEARER = /^Bearer +(\S+) *$/i;

export function createAuthenticator(opts: { jwt: JwtConfig | undefined; apiKeys: ApiKeys }): Authenticate {
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
    if (authorization === undefined) return ANONYMOUS;
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
