// The console: the sign-in page without a session; with one, the shell (nav, principal, sign-out)
// around the pages, each fed by Apollo Client over the session.
import { ApolloProvider } from '@apollo/client/react';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { BrowserRouter, NavLink, Route, Routes } from 'react-router-dom';
import { currentSession, makeClient, signOut, type Session } from './api.ts';
import { Ai } from './pages/Ai.tsx';
import { Audit } from './pages/Audit.tsx';
import { ConnectorDetail, Connectors } from './pages/Connectors.tsx';
import { Events } from './pages/Events.tsx';
import { Keys } from './pages/Keys.tsx';
import { Overview } from './pages/Overview.tsx';
import { Reconciliation } from './pages/Reconciliation.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { WorkflowDetail, Workflows } from './pages/Workflows.tsx';
import { canAdmin, Loading, SessionContext } from './ui.tsx';

// GraphiQL is most of the bundle: loaded when the explorer is opened.
const Explorer = lazy(() => import('./pages/Explorer.tsx'));

type State = { kind: 'loading' } | { kind: 'signedOut'; notice?: string } | { kind: 'signedIn'; session: Session };

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  useEffect(() => {
    currentSession().then(
      (session) => setState(session ? { kind: 'signedIn', session } : { kind: 'signedOut' }),
      (error: unknown) =>
        setState({ kind: 'signedOut', notice: `The session could not be checked: ${error instanceof Error ? error.message : String(error)}` }),
    );
  }, []);
  const expire = useCallback(() => setState({ kind: 'signedOut', notice: 'Your session has ended. Sign in again.' }), []);
  return (
    <BrowserRouter basename="/console">
      {state.kind === 'loading' ? (
        <main className="signin">
          <Loading what="the session" />
        </main>
      ) : state.kind === 'signedOut' ? (
        <SignIn notice={state.notice} onSignedIn={(session) => setState({ kind: 'signedIn', session })} />
      ) : (
        <Shell session={state.session} onExpired={expire} onSignedOut={() => setState({ kind: 'signedOut' })} />
      )}
    </BrowserRouter>
  );
}

function Shell({ session, onExpired, onSignedOut }: { session: Session; onExpired: () => void; onSignedOut: () => void }) {
  const client = useMemo(() => makeClient(session, onExpired), [session, onExpired]);
  useEffect(() => () => client.stop(), [client]);
  const [signingOut, setSigningOut] = useState(false);
  const links: [string, string, boolean][] = [
    ['/', 'Overview', true],
    ['/connectors', 'Connectors', true],
    ['/events', 'Events', true],
    ['/workflows', 'Workflows', true],
    ['/reconciliation', 'Reconciliation', true],
    ['/ai', 'AI', true],
    ['/audit', 'Audit', canAdmin(session, 'audit:read')],
    ['/keys', 'Keys', canAdmin(session, 'keys:admin')],
    ['/explorer', 'Explorer', true],
  ];
  return (
    <SessionContext.Provider value={session}>
      <ApolloProvider client={client}>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <header className="top">
          <span className="brand">Switchyard console</span>
          <nav aria-label="Console" data-testid="nav">
            <ul>
              {links
                .filter(([, , shown]) => shown)
                .map(([to, label]) => (
                  <li key={to}>
                    <NavLink to={to} end={to === '/'} data-testid={`nav-${label.toLowerCase()}`}>
                      {label}
                    </NavLink>
                  </li>
                ))}
            </ul>
          </nav>
          <span className="who" data-testid="principal">
            <span data-testid="principal-id">{session.principal.id}</span>{' '}
            <span className="badge" data-testid="principal-role">
              {session.principal.role}
            </span>
          </span>
          <button
            type="button"
            data-testid="sign-out"
            disabled={signingOut}
            onClick={() => {
              setSigningOut(true);
              signOut(session)
                .catch(() => undefined)
                .finally(() => {
                  void client.clearStore();
                  onSignedOut();
                });
            }}
          >
            Sign out
          </button>
        </header>
        <main id="main" tabIndex={-1}>
          <Suspense fallback={<Loading what="the page" />}>
            <Routes>
              <Route path="/" element={<Overview />} />
              <Route path="/connectors" element={<Connectors />} />
              <Route path="/connectors/:name" element={<ConnectorDetail />} />
              <Route path="/events" element={<Events />} />
              <Route path="/workflows" element={<Workflows />} />
              <Route path="/workflows/:id" element={<WorkflowDetail />} />
              <Route path="/reconciliation" element={<Reconciliation />} />
              <Route path="/ai" element={<Ai />} />
              <Route path="/audit" element={<Audit />} />
              <Route path="/keys" element={<Keys />} />
              <Route path="/explorer" element={<Explorer onExpired={onExpired} />} />
              <Route path="*" element={<p>No such page.</p>} />
            </Routes>
          </Suspense>
        </main>
      </ApolloProvider>
    </SessionContext.Provider>
  );
}
