// JWT bearer tokens, verified with jose: the signature (HS256 secret, or the identity provider's
// JWKS), the algorithm allow-list (so `alg: none` and HS/RS confusion never pass), issuer,
// audience, expiry and not-before with a small clock skew. Claims become a Principal.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { LRUCache } from 'lru-cache';
import type { JwtConfig } from '../config.ts';
import { CUSTOMER_ID } from '../validation.ts';
import type { Principal } from './principal.ts';
import { effectiveScopes, isCredentialRole } from './roles.ts';
import { jwksUnavailable, unauthenticated } from './errors.ts';

export interface JwtVerifier {
  verify(token: string): Promise<Principal>;
}

function mapError(err: unknown): Error {
  if (err instanceof errors.JWTExpired) return unauthenticated('expired', 'The token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' || err.claim === 'iat') return unauthenticated('not_yet_valid', 'The token is not valid yet');
    return unauthenticated('claim_rejected', `The token's ${err.claim} claim is not accepted here`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return unauthenticated('invalid_signature', "The token's signature is invalid");
  if (err instanceof errors.JOSEAlgNotAllowed) return unauthenticated('algorithm_not_allowed', "The token's signing algorithm is not accepted");
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return unauthenticated('unknown_key', 'The token is signed with a key the identity provider does not publish');
  }
  // A network failure (fetch's TypeError), a timeout or a non-200 answer from the JWKS endpoint.
  const jwksDown = err instanceof errors.JOSEError && /JSON Web Key Set/.test(err.message);
  if (jwksDown || err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || err instanceof TypeError) return jwksUnavailable();
  return unauthenticated('malformed', 'The token is malformed');
}

/** The `scope` claim (RFC 8693: space-separated) or `scp` (a list, as Azure AD and Okta send it). */
function grantedScopes(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}

export function principalFromClaims(payload: JWTPayload, roleClaim: string): Principal {
  const role = payload[roleClaim];
  if (!isCredentialRole(role)) throw unauthenticated('claim_rejected', `The token's ${roleClaim} claim names no Switchyard role`);
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub === '') throw unauthenticated('claim_rejected', 'The token has no subject');
  if (role === 'customer' && !CUSTOMER_ID.pattern.test(sub)) {
    throw unauthenticated('claim_rejected', "A customer token's subject must be a Switchyard customer id (cust_...)");
  }
  return {
    id: sub,
    role,
    scopes: effectiveScopes(role, grantedScopes(payload)),
    via: 'jwt',
    ...(role === 'customer' ? { customerId: sub } : {}),
  };
}

export function createJwtVerifier(config: JwtConfig): JwtVerifier {
  const options: JWTVerifyOptions = {
    issuer: config.issuer,
    audience: config.audience,
    algorithms: config.algorithms,
    clockTolerance: config.clockSkewSeconds,
    // A token without an expiry would be valid forever; one without a subject names nobody.
    requiredClaims: ['exp', 'sub'],
  };
  // The JWKS is fetched on first use and cached by jose (refetched when an unknown kid appears,
  // at most every 30 s), so a key rotation at the identity provider needs no restart.
  const verify = config.secret
    ? (
        (secret: Uint8Array) => (token: string) =>
          jwtVerify(token, secret, options)
      )(new TextEncoder().encode(config.secret))
    : (
        (jwks: ReturnType<typeof createRemoteJWKSet>) => (token: string) =>
          jwtVerify(token, jwks, options)
      )(createRemoteJWKSet(new URL(config.jwksUrl!), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 600_000 }));
  // A verified token stays valid until its expiry (JWTs cannot be revoked), so its principal is
  // kept until then: a client sending the same token on every request pays jose's signature check
  // (about 0.1 ms of CPU) once, not per request. Failures are never cached.
  // (A count bound through maxSize: with max, lru-cache allocates its arrays for every entry up front.)
  const verified = new LRUCache<string, Principal>({ maxSize: 10_000, sizeCalculation: () => 1 });
  return {
    async verify(token) {
      const known = verified.get(token);
      if (known) return known;
      let payload: JWTPayload;
      try {
        ({ payload } = await verify(token));
      } catch (err) {
        throw mapError(err);
      }
      const principal = principalFromClaims(payload, config.roleClaim);
      const ttl = (payload.exp ?? 0) * 1000 - Date.now();
      if (ttl > 0) verified.set(token, principal, { ttl });
      return principal;
    },
  };
}
