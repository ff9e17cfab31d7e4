// The console's two channels to Switchyard: the session API (/console/api/session, a cookie and
// its CSRF token) and GraphQL (/graphql, through Apollo Client with the same cookie and token).
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache, ServerError } from '@apollo/client';
import { ErrorLink } from '@apollo/client/link/error';

export interface Principal {
  id: string;
  role: string;
  scopes: string[];
}

export interface Session {
  principal: Principal;
  csrfToken: string;
  expiresAt: string;
}

/** A refusal of the session API: its `error.code` and `error.message`. */
export class SessionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const SESSION = '/console/api/session';

async function refusal(response: Response): Promise<SessionError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    return new SessionError(body.error?.code ?? `HTTP_${response.status}`, body.error?.message ?? response.statusText, response.status);
  } catch {
    return new SessionError(`HTTP_${response.status}`, response.statusText || 'The server answered without a reason.', response.status);
  }
}

/** The current session, or null when there is none (401). */
export async function currentSession(): Promise<Session | null> {
  const response = await fetch(SESSION, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (response.status === 401) return null;
  if (!response.ok) throw await refusal(response);
  return (await response.json()) as Session;
}

export async function signIn(credential: string): Promise<Session> {
  const response = await fetch(SESSION, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ credential }),
  });
  if (!response.ok) throw await refusal(response);
  return (await response.json()) as Session;
}

export async function signOut(session: Session): Promise<void> {
  await fetch(SESSION, { method: 'DELETE', credentials: 'same-origin', headers: { 'x-csrf-token': session.csrfToken } });
}

/** The extensions.code of an error Apollo Client reports (the first one), or of a refused HTTP request. */
export function errorCode(error: unknown): string | undefined {
  if (CombinedGraphQLErrors.is(error)) return error.errors.map((e) => e.extensions?.code).find((c): c is string => typeof c === 'string');
  if (ServerError.is(error)) {
    try {
      const body = JSON.parse(error.bodyText) as { errors?: { extensions?: { code?: string } }[] };
      const code = body.errors?.[0]?.extensions?.code;
      if (code) return code;
    } catch {
      // Not JSON.
    }
    if (error.statusCode === 401) return 'UNAUTHENTICATED';
    if (error.statusCode === 403) return 'FORBIDDEN';
  }
  return undefined;
}

/** Apollo Client for the session: every request same-origin with its CSRF token; UNAUTHENTICATED ends the session. */
export function makeClient(session: Session, onUnauthenticated: () => void): ApolloClient {
  const http = new HttpLink({ uri: '/graphql', credentials: 'same-origin', headers: { 'x-csrf-token': session.csrfToken } });
  const expired = new ErrorLink(({ error }) => {
    if (errorCode(error) === 'UNAUTHENTICATED') onUnauthenticated();
  });
  return new ApolloClient({
    link: ApolloLink.from([expired, http]),
    cache: new InMemoryCache(),
  });
}

/** GraphiQL's fetcher: POST /graphql with the session's cookie and CSRF token. */
export function graphqlFetcher(session: Session, onUnauthenticated: () => void) {
  return async (params: unknown): Promise<unknown> => {
    const response = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': session.csrfToken },
      body: JSON.stringify(params),
    });
    const text = await response.text();
    let body: { errors?: { extensions?: { code?: string } }[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
    }
    if (response.status === 401 || body.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) onUnauthenticated();
    return body;
  };
}
