// The operator console's own HTTP surface: its session (sign in, who am I, sign out) and its
// built page (static.ts). Everything else it shows it reads through /graphql, with the session's
// cookie and CSRF token, under the same permissions as any other client.
//   POST   /console/api/session  {"credential": "<API key or JWT>"}  -> the session, and its cookie
//   GET    /console/api/session                                      -> the session, or 401
//   DELETE /console/api/session  (x-csrf-token)                      -> 204, cookie cleared
// Sign-in attempts are limited per client address (CONSOLE_SIGNIN_LIMIT per
// CONSOLE_SIGNIN_WINDOW_MS, in Redis when there is one, so across replicas): each one verifies a
// credential (a store read for a key) and a good one adds a session row, and a refused
// credential never reaches /graphql's rate limit, which counts operations of known principals.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { stringifySetCookie } from 'cookie';
import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { ErrorCode } from '../errors/index.ts';
import { tryConsume } from '../pipeline/limiter.ts';
import { CSRF_HEADER, ConsoleSessions, SESSION_COOKIE } from './sessions.ts';
import { registerConsoleStatic, securityHeaders } from './static.ts';

const SignIn = z.object({ credential: z.string().trim().min(1, 'credential is required').max(8_192, 'credential is too long') }).strict();

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.RATE_LIMITED]: 429,
};
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function fail(reply: FastifyReply, code: string, message: string, extra: Record<string, unknown> = {}) {
  return reply.status(STATUS[code] ?? 500).send({ error: { code, message, ...extra } });
}

/** Secure outside localhost: a browser on plain-HTTP localhost (development, the tests) would drop a Secure cookie. */
function cookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  return stringifySetCookie({
    name: SESSION_COOKIE,
    value,
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: maxAgeSeconds,
    secure: !LOCAL_HOSTS.has(request.hostname),
  });
}

export interface ConsoleRoutesOptions {
  /** Sign-in attempts per client address (src/pipeline/limiter.ts's createLimiter). */
  signInLimiter: Pick<RateLimiterAbstract, 'consume'>;
}

export async function registerConsole(app: FastifyInstance, sessions: ConsoleSessions, options: ConsoleRoutesOptions): Promise<void> {
  const answer = async (request: FastifyRequest, reply: FastifyReply, work: () => Promise<unknown>) => {
    securityHeaders(reply).header('cache-control', 'no-store');
    try {
      return await work();
    } catch (err) {
      if (err instanceof GraphQLError && typeof err.extensions.code === 'string' && STATUS[err.extensions.code])
        return fail(reply, err.extensions.code, err.message);
      request.log.error({ err }, 'console session request failed');
      return fail(reply, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
    }
  };

  app.post('/console/api/session', (request, reply) =>
    answer(request, reply, async () => {
      const { waitMs } = await tryConsume(options.signInLimiter, `ip:${request.ip}`, 1);
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1000);
        request.log.warn({ ip: request.ip, retryAfterMs: waitMs }, 'console sign-in refused: too many attempts from this address');
        reply.header('retry-after', String(seconds));
        return fail(reply, ErrorCode.RATE_LIMITED, `Too many sign-in attempts from this address: try again in ${seconds} s`, { retryAfterMs: waitMs });
      }
      const body = SignIn.safeParse(request.body);
      if (!body.success) return fail(reply, ErrorCode.BAD_USER_INPUT, `Send {"credential": "<API key or JWT>"}: ${body.error.issues[0]!.message}`);
      const { token, view, maxAgeSeconds } = await sessions.signIn(body.data.credential, request.ip);
      request.log.info({ principalId: view.principal.id, role: view.principal.role }, 'console sign-in');
      return reply.header('set-cookie', cookie(request, token, maxAgeSeconds)).send(view);
    }),
  );

  app.get('/console/api/session', (request, reply) =>
    answer(request, reply, async () => {
      const token = ConsoleSessions.tokenOf(request.headers);
      if (!token) return fail(reply, ErrorCode.UNAUTHENTICATED, 'Not signed in');
      return reply.send(await sessions.view(token));
    }),
  );

  app.delete('/console/api/session', (request, reply) =>
    answer(request, reply, async () => {
      const token = ConsoleSessions.tokenOf(request.headers);
      if (token) await sessions.signOut(token, request.headers[CSRF_HEADER]);
      return reply
        .status(204)
        .header('set-cookie', cookie(request, '', 0))
        .send();
    }),
  );

  await registerConsoleStatic(app);
}
