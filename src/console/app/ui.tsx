// Pieces every page uses: the session in context, error notices, a confirmation dialog, formats.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';
import { errorCode, type Session } from './api.ts';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a session');
  return session;
}

export function canAdmin(session: Session, scope: string): boolean {
  return session.principal.role === 'admin' || session.principal.scopes.includes(scope);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An error as text, in an alert: FORBIDDEN reads as what the role may not do, not as a failure. */
export function ErrorNotice({ error, forbidden }: { error: unknown; forbidden?: string }) {
  const session = useContext(SessionContext);
  const code = errorCode(error);
  if (code === 'FORBIDDEN') {
    return (
      <div className="notice notice-forbidden" role="alert" data-testid="forbidden">
        <strong>Not allowed:</strong> {forbidden ?? `your role (${session?.principal.role ?? 'unknown'}) cannot see this.`}
      </div>
    );
  }
  return (
    <div className="notice notice-error" role="alert" data-testid="error">
      <strong>{code ?? 'ERROR'}</strong>: {messageOf(error)}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

/**
 * What a query has so far: its error (coded, as ErrorNotice shows it) above, then "Loading …" until
 * the first data arrive, then the children.
 */
export function QueryState(props: { error: unknown; loading: boolean; data?: unknown; what: string; forbidden?: string; children: ReactNode }) {
  return (
    <>
      {props.error ? <ErrorNotice error={props.error} forbidden={props.forbidden} /> : null}
      {props.loading && !props.data ? <Loading what={props.what} /> : props.children}
    </>
  );
}

/** A page the role may not see: its heading and the refusal alone. */
export function ForbiddenPage({ title, error, forbidden }: { title: string; error: unknown; forbidden: string }) {
  return (
    <>
      <h1>{title}</h1>
      <ErrorNotice error={error} forbidden={forbidden} />
    </>
  );
}

/**
 * A button that asks first, in a native modal <dialog> (the rest of the page is inert while it is
 * open, Escape cancels, focus returns to the button).
 */
export function ConfirmButton(props: {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
  disabled?: boolean;
  onConfirm: () => void;
  testId?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (open) dialog.current?.showModal();
    else if (dialog.current?.open) dialog.current.close();
  }, [open]);
  return (
    <>
      <button type="button" className={props.danger ? 'danger' : undefined} disabled={props.disabled} onClick={() => setOpen(true)} data-testid={props.testId}>
        {props.label}
      </button>
      {open && (
        <dialog ref={dialog} aria-labelledby="confirm-title" onClose={() => setOpen(false)} data-testid="confirm-dialog">
          <h2 id="confirm-title">{props.title}</h2>
          <div>{props.children}</div>
          <form method="dialog" className="actions">
            <button type="submit" autoFocus>
              Cancel
            </button>
            <button
              type="button"
              className={props.danger ? 'danger' : 'primary'}
              data-testid="confirm-ok"
              onClick={() => {
                setOpen(false);
                props.onConfirm();
              }}
            >
              {props.confirmLabel ?? props.label}
            </button>
          </form>
        </dialog>
      )}
    </>
  );
}

export function fmtTime(at: string | null | undefined): string {
  if (!at) return '—';
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? at : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function fmtMs(ms: number | null | undefined): string {
  return ms == null ? '—' : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

export function fmtPct(share: number | null | undefined): string {
  return share == null ? '—' : `${(share * 100).toFixed(share > 0 && share < 0.01 ? 2 : 1)}%`;
}

export function fmtUsd(usd: number | null | undefined): string {
  return usd == null ? '—' : `$${usd.toFixed(usd !== 0 && Math.abs(usd) < 1 ? 4 : 2)}`;
}

export function fmtNum(n: number | null | undefined): string {
  return n == null ? '—' : n.toLocaleString();
}

/** A status as a word in a badge; the colour comes from its class and only repeats the word. */
export function Badge({ value, testId }: { value: string; testId?: string }) {
  return (
    <span className={`badge badge-${value.toLowerCase()}`} data-testid={testId}>
      {value}
    </span>
  );
}

/** Pages of a connection, by the `endCursor`s seen; back to the first page when `key` (the filter) changes. */
export function usePages(key: string) {
  const [state, setState] = useState<{ key: string; stack: string[] }>({ key, stack: [] });
  const stack = state.key === key ? state.stack : [];
  return {
    after: stack.at(-1) ?? null,
    page: stack.length + 1,
    next: (cursor: string) => setState({ key, stack: [...stack, cursor] }),
    previous: () => setState({ key, stack: stack.slice(0, -1) }),
  };
}

export function Pager({ pages, pageInfo }: { pages: ReturnType<typeof usePages>; pageInfo: { hasNextPage: boolean; endCursor: string | null } | undefined }) {
  return (
    <nav className="actions" aria-label="Pages" data-testid="pager">
      <button type="button" disabled={pages.page === 1} onClick={pages.previous} data-testid="page-previous">
        Previous
      </button>
      <span>Page {pages.page}</span>
      <button
        type="button"
        disabled={!pageInfo?.hasNextPage || !pageInfo.endCursor}
        onClick={() => pageInfo?.endCursor && pages.next(pageInfo.endCursor)}
        data-testid="page-next"
      >
        Next
      </button>
    </nav>
  );
}

export interface FilterField {
  /** The search parameter it sets. */
  key: string;
  label: string;
  /** A select of these (and "any"); without them a text input. */
  options?: readonly string[];
  testId: string;
}

/**
 * The filters of a list in the page's search parameters: `values` to read them, `set` to change one
 * (an empty value removes it), in place of the current history entry.
 */
export function useFilterParams() {
  const [params, setParams] = useSearchParams();
  return {
    params,
    get: (key: string) => params.get(key) || undefined,
    set: (key: string, value: string) => {
      const next = new URLSearchParams(params);
      if (value) next.set(key, value);
      else next.delete(key);
      setParams(next, { replace: true });
    },
  };
}

/** A row of labelled filter inputs and selects, as one form; `children` after them (a button, say). */
export function Filters(props: {
  label: string;
  fields: readonly FilterField[];
  value: (key: string) => string | undefined;
  onChange: (key: string, value: string) => void;
  children?: ReactNode;
}) {
  return (
    <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={props.label}>
      {props.fields.map((f) => (
        <label key={f.key}>
          {f.label}
          {f.options ? (
            <select data-testid={f.testId} value={props.value(f.key) ?? ''} onChange={(e) => props.onChange(f.key, e.target.value)}>
              <option value="">any</option>
              {f.options.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          ) : (
            <input data-testid={f.testId} defaultValue={props.value(f.key) ?? ''} onChange={(e) => props.onChange(f.key, e.target.value.trim())} />
          )}
        </label>
      ))}
      {props.children}
    </form>
  );
}
