// The coded errors of authentication. A credential that is present but wrong is refused for the
// whole request (HTTP 401 with a WWW-Authenticate challenge, RFC 6750), never downgraded to
// anonymous: a client with an expired token should learn so, not see empty data.
import type { GraphQLError } from 'graphql';
import { ErrorCode, codedError } from '../errors/index.ts';

export type AuthFailure =
  | 'malformed' // not a credential we can read
  | 'expired'
  | 'not_yet_valid'
  | 'invalid_signature'
  | 'algorithm_not_allowed'
  | 'claim_rejected' // wrong issuer or audience, or a bad role or subject
  | 'unknown_key' // a JWT whose kid the JWKS does not have
  | 'invalid_api_key'
  | 'revoked'
  | 'demo_key' // a demo key presented to a process not in demo mode
  | 'jwt_not_configured'
  | 'ambiguous' // both Authorization and X-Api-Key
  | 'session' // a console session that is unknown, expired or signed out
  | 'csrf'; // a console session's cookie with a wrong x-csrf-token

export function unauthenticated(reason: AuthFailure, message: string): GraphQLError {
  const error = reason === 'malformed' || reason === 'ambiguous' ? 'invalid_request' : 'invalid_token';
  return codedError(ErrorCode.UNAUTHENTICATED, message, {
    reason,
    http: { status: 401, headers: new Map([['www-authenticate', `Bearer realm="switchyard", error="${error}"`]]) },
  });
}

/** The identity provider's keys cannot be fetched: our problem, not the caller's. */
export function jwksUnavailable(): GraphQLError {
  return codedError(ErrorCode.UPSTREAM_UNAVAILABLE, "The identity provider's signing keys cannot be fetched; try again shortly", {
    connector: 'jwks',
    http: { status: 503 },
  });
}

/** An address past AUTH_FAILURE_LIMIT: its credentials are not checked until the window is over (src/auth/failures.ts). */
export function tooManyFailures(waitMs: number): GraphQLError {
  const seconds = Math.ceil(waitMs / 1000);
  return codedError(ErrorCode.RATE_LIMITED, `Too many refused credentials from this address: try again in ${seconds} s`, {
    reason: 'too_many_failures',
    retryAfterMs: waitMs,
    http: { status: 429, headers: new Map([['retry-after', String(seconds)]]) },
  });
}
