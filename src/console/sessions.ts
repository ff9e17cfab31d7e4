// Operator console sessions. Signing in trades an API key or a JWT (role admin or operator) for
// an opaque token in an httpOnly, SameSite=Strict cookie, and a CSRF token the page sends back in
// `x-csrf-token` on every request. The store keeps only the token's hash. A session opened with a
// key re-reads the key on every request (a revoked key ends it at once); one opened with a JWT
// ends with the token's own expiry at the latest. Sign-out deletes the row.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseCookie } from 'cookie';
import { decodeJwt } from 'jose';
import type { Store } from '../connectors/store/index.ts';
import type { ApiKeys } from '../auth/apiKeys.ts';
import { unauthenticated } from '../auth/errors.ts';
import { SCOPES, type Principal, type Scope } from '../auth/principal.ts';
import { ErrorCode, codedError } from '../errors/index.ts';

export const SESSION_COOKIE = 'sy_console';
export const CSRF_HEADER = 'x-csrf-token';
const CONSOLE_ROLES = new Set(['admin', 'operator']);

export interface SessionView {
  principal: { id: string; role: string; scopes: string[] };
  csrfToken: string;
  expiresAt: string;
}

export interface ConsoleSessionsOptions {
  store: Store;
  apiKeys: ApiKeys;
  /** The credential's principal, as a request bearing it would be (UNAUTHENTICATED when it is not valid). */
  verify: (credential: string, address?: string) => Promise<Principal>;
  ttlSeconds: number;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

export class ConsoleSessions {
  constructor(private readonly o: ConsoleSessionsOptions) {}

  /** A new session for this credential: its cookie token (shown only to the browser) and what the page may read. */
  async signIn(credential: string, address?: string): Promise<{ token: string; view: SessionView; maxAgeSeconds: number }> {
    const principal = await this.o.verify(credential, address);
    if (!CONSOLE_ROLES.has(principal.role))
      throw codedError(ErrorCode.FORBIDDEN, `The console is for admins and operators; this credential's role is ${principal.role}`);
    let ttlSeconds = this.o.ttlSeconds;
    if (principal.via === 'jwt') {
      const exp = decodeJwt(credential).exp;
      if (exp !== undefined) ttlSeconds = Math.min(ttlSeconds, Math.floor(exp - Date.now() / 1000));
      if (ttlSeconds < 1) throw unauthenticated('expired', 'The token expires too soon to open a session');
    }
    await this.o.store.consoleSessions.purgeExpired();
    const token = randomBytes(32).toString('base64url');
    const record = await this.o.store.consoleSessions.insert({
      tokenHash: hash(token),
      principalId: principal.id,
      role: principal.role,
      scopes: [...principal.scopes],
      via: principal.via === 'jwt' ? 'jwt' : 'api_key',
      keyId: principal.keyId ?? null,
      csrfToken: randomBytes(32).toString('base64url'),
      ttlSeconds,
    });
    return { token, view: viewOf(record, principal), maxAgeSeconds: ttlSeconds };
  }

  /** The session's view for the page; UNAUTHENTICATED when it is gone, expired, or its key revoked. */
  async view(token: string): Promise<SessionView> {
    const { record, principal } = await this.live(token);
    return viewOf(record, principal);
  }

  /**
   * The principal of a request that carries the session cookie. Without `x-csrf-token` the cookie
   * counts for nothing (null: the request is anonymous), so a page on another site that makes the
   * browser send it gains nothing; with a wrong one the request is refused.
   */
  async principal(token: string, csrf: string | string[] | undefined): Promise<Principal | null> {
    if (csrf === undefined) return null;
    const { record, principal } = await this.live(token);
    if (typeof csrf !== 'string' || !sameText(csrf, record.csrfToken)) throw unauthenticated('csrf', 'The x-csrf-token header does not match the session');
    return principal;
  }

  /** The session token a request's cookie carries, if any. */
  static tokenOf(headers: IncomingHttpHeaders): string | undefined {
    return headers.cookie ? parseCookie(headers.cookie)[SESSION_COOKIE] : undefined;
  }

  /** For the authenticator: the principal of the request's session cookie, or null without one. */
  readonly fromHeaders = async (headers: IncomingHttpHeaders): Promise<Principal | null> => {
    const token = ConsoleSessions.tokenOf(headers);
    return token ? this.principal(token, headers[CSRF_HEADER]) : null;
  };

  async signOut(token: string, csrf: string | string[] | undefined): Promise<void> {
    const p = await this.principal(token, csrf ?? '');
    if (p) await this.o.store.consoleSessions.delete(hash(token));
  }

  private async live(token: string) {
    const record = await this.o.store.consoleSessions.live(hash(token));
    if (!record) throw unauthenticated('session', 'The console session has expired or was signed out: sign in again');
    const principal: Principal =
      record.via === 'api_key' && record.keyId
        ? await this.o.apiKeys.principalOf(record.keyId)
        : { id: record.principalId, role: record.role as Principal['role'], scopes: new Set(record.scopes.filter(isScope)), via: 'jwt' };
    return { record, principal };
  }
}

function viewOf(record: { csrfToken: string; expiresAt: Date }, p: Principal): SessionView {
  return { principal: { id: p.id, role: p.role, scopes: [...p.scopes].sort() }, csrfToken: record.csrfToken, expiresAt: record.expiresAt.toISOString() };
}
