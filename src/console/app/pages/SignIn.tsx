import { useId, useState, type FormEvent } from 'react';
import { SessionError, signIn, type Session } from '../api.ts';

export function SignIn({ notice, onSignedIn }: { notice?: string; onSignedIn: (session: Session) => void }) {
  const [credential, setCredential] = useState('');
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(credential.trim()));
    } catch (e) {
      setError(e instanceof SessionError ? { code: e.code, message: e.message } : { code: 'NETWORK', message: e instanceof Error ? e.message : String(e) });
      setBusy(false);
    }
  }
  return (
    <main className="signin" id="main">
      <form onSubmit={submit} className="card" data-testid="signin-form" aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`}>Switchyard console</h1>
        {notice && (
          <p className="notice" role="status" data-testid="signin-notice">
            {notice}
          </p>
        )}
        <label htmlFor={`${id}-credential`}>API key or JWT</label>
        <textarea
          id={`${id}-credential`}
          name="credential"
          data-testid="signin-credential"
          rows={4}
          required
          spellCheck={false}
          autoComplete="off"
          value={credential}
          onChange={(e) => setCredential(e.target.value)}
          aria-describedby={`${id}-hint`}
        />
        <p id={`${id}-hint`} className="muted">
          An admin or operator credential (syk_… or a JWT). It is exchanged for a session cookie and not kept in the browser.
        </p>
        {error && (
          <div className="notice notice-error" role="alert" data-testid="signin-error">
            <strong data-testid="signin-error-code">{error.code}</strong>: <span data-testid="signin-error-message">{error.message}</span>
          </div>
        )}
        <button type="submit" className="primary" disabled={busy || credential.trim() === ''} data-testid="signin-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
