// The operator console's own HTTP surface: its session (sign in, who am I, sign out) and its
// built page (static.ts). Everything else it shows it reads through /graphql, with the session's
// cookie and CSRF token, under the same permissions as any other client.
//   POST   /console/api/session  {"credential": "<API key or JWT>"}  -> the session, and its cookie
//   GET    /console/api/session                                      -> the session, or 401
//   DELETE /console/api/session  (x-csrf-token)                      -> 204, cookie cleared
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stringifySetCookie } from 'cookie';
import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { ErrorCode } from '../errors/index.ts';
import { CSRF_HEADER, ConsoleSessions, SESSION_COOKIE } from './sessions.ts';
import { registerConsoleStatic, securityHeaders } from './static.ts';

const SignIn = z.object({ credential: z.string().trim().min(1, 'credential is required').max(8_192, 'credential is too long') }).strict();

const STATUS: Partial<Record<string, number>> = { [ErrorCode.UNAUTHENTICATED]: 401, [ErrorCode.FORBIDDEN]: 403, [ErrorCode.BAD_USER_INPUT]: 400 };
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function fail(reply: FastifyReply, code: string, message: string) {
  return reply.status(STATUS[code] ?? 500).send({ error: { code, message } });
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

export async function registerConsole(app: FastifyInstance, sessions: ConsoleSessions): Promise<void> {
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
      const body = SignIn.safeParse(request.body);
      if (!body.success) return fail(reply, ErrorCode.BAD_USER_INPUT, `Send {"credential": "<API key or JWT>"}: ${body.error.issues[0]!.message}`);
      const { token, view, maxAgeSeconds } = await sessions.signIn(body.data.credential);
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
