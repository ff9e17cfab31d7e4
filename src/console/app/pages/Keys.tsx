// API keys (admins): the list, a new key (its secret shown once), revoking one.
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { errorCode } from '../api.ts';
import { ACTIONS, DataTable } from '../table.tsx';
import { ConfirmButton, ErrorNotice, ForbiddenPage, fmtTime, QueryState } from '../ui.tsx';

const FORBIDDEN = 'Only admins can manage API keys.';

interface ApiKey {
  id: string;
  name: string;
  role: string;
  scopes: string[];
  kind: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  expiresAt: string | null;
}

const KEY_FIELDS = gql`
  fragment ConsoleApiKey on ApiKey {
    id
    name
    role
    scopes
    kind
    createdAt
    lastUsedAt
    revokedAt
    expiresAt
  }
`;

const KEYS = gql`
  query ConsoleKeys {
    apiKeys {
      ...ConsoleApiKey
    }
  }
  ${KEY_FIELDS}
`;

const CREATE = gql`
  mutation ConsoleCreateKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      secret
      apiKey {
        ...ConsoleApiKey
      }
    }
  }
  ${KEY_FIELDS}
`;

const REVOKE = gql`
  mutation ConsoleRevokeKey($id: ID!) {
    revokeApiKey(id: $id) {
      ...ConsoleApiKey
    }
  }
  ${KEY_FIELDS}
`;

function NewSecret({ secret, onDone }: { secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  return (
    <section className="notice notice-warn" aria-labelledby="secret-title" data-testid="key-secret-panel">
      <h2 id="secret-title">The new key</h2>
      <p role="alert">
        <strong>Copy it now:</strong> this is the only time the key is shown. Switchyard keeps only its digest.
      </p>
      <label htmlFor="new-secret">Secret</label>
      <div className="row">
        <input id="new-secret" readOnly value={secret} data-testid="key-secret" onFocus={(e) => e.target.select()} />
        <button
          type="button"
          data-testid="key-copy"
          onClick={() =>
            navigator.clipboard.writeText(secret).then(
              () => setCopied('Copied.'),
              () => setCopied('Copying failed: select the text and copy it.'),
            )
          }
        >
          Copy
        </button>
        <button type="button" onClick={onDone} data-testid="key-secret-done">
          I have stored it
        </button>
      </div>
      {copied && <p role="status">{copied}</p>}
    </section>
  );
}

export function Keys() {
  const { data, error, loading, refetch } = useQuery<{ apiKeys: ApiKey[] }>(KEYS);
  const [create, created] = useMutation<{ createApiKey: { secret: string; apiKey: ApiKey } }>(CREATE);
  const [revoke, revoked] = useMutation(REVOKE);
  const [name, setName] = useState('');
  const [role, setRole] = useState('operator');
  const [scopes, setScopes] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  if (errorCode(error) === 'FORBIDDEN') return <ForbiddenPage title="API keys" error={error} forbidden={FORBIDDEN} />;
  async function submit(event: FormEvent) {
    event.preventDefault();
    const list = scopes
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    try {
      const result = await create({ variables: { input: { name: name.trim(), role, ...(list.length ? { scopes: list } : {}) } } });
      if (result.data) {
        setSecret(result.data.createApiKey.secret);
        setName('');
        setScopes('');
        await refetch();
      }
    } catch {
      // Shown from created.error.
    }
  }
  return (
    <>
      <h1>API keys</h1>
      {secret && <NewSecret secret={secret} onDone={() => setSecret(null)} />}
      <form className="card filters" onSubmit={submit} aria-labelledby="new-key-title" data-testid="key-form">
        <h2 id="new-key-title">New key</h2>
        <label>
          Name
          <input required value={name} onChange={(e) => setName(e.target.value)} data-testid="key-name" />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value)} data-testid="key-role">
            <option value="operator">operator</option>
            <option value="admin">admin</option>
            <option value="app">app</option>
            <option value="service">service</option>
          </select>
        </label>
        <label>
          Scopes <span className="muted">(optional, comma separated; the role&apos;s by default)</span>
          <input value={scopes} onChange={(e) => setScopes(e.target.value)} data-testid="key-scopes" />
        </label>
        <button type="submit" className="primary" disabled={created.loading || !name.trim()} data-testid="key-create">
          Create key
        </button>
      </form>
      {created.error && <ErrorNotice error={created.error} forbidden={FORBIDDEN} />}
      {revoked.error && <ErrorNotice error={revoked.error} forbidden={FORBIDDEN} />}
      <QueryState error={error} loading={loading} data={data} what="the keys" forbidden={FORBIDDEN}>
        <DataTable
          scroll
          testId="keys-table"
          rows={data?.apiKeys}
          rowKey={(k) => k.id}
          row={(k) => ({ 'data-testid': `key-${k.id}` })}
          columns={[
            { header: 'Name', cell: (k) => k.name, rowHeader: true },
            { header: 'Role', cell: (k) => k.role },
            { header: 'Scopes', cell: (k) => k.scopes.join(', ') },
            { header: 'Kind', cell: (k) => k.kind },
            { header: 'Created', cell: (k) => fmtTime(k.createdAt) },
            { header: 'Last used', cell: (k) => fmtTime(k.lastUsedAt) },
            {
              header: 'State',
              cell: (k) => (k.revokedAt ? `revoked ${fmtTime(k.revokedAt)}` : k.expiresAt ? `expires ${fmtTime(k.expiresAt)}` : 'active'),
              testId: (k) => `key-state-${k.id}`,
            },
            {
              header: ACTIONS,
              cell: (k) =>
                !k.revokedAt && (
                  <ConfirmButton
                    label="Revoke"
                    title={`Revoke the key ${k.name}?`}
                    danger
                    testId={`key-revoke-${k.id}`}
                    onConfirm={() =>
                      void revoke({ variables: { id: k.id } }).then(
                        () => refetch(),
                        () => undefined,
                      )
                    }
                  >
                    <p>Every request with this key is refused from now on, and its console sessions end. This cannot be undone.</p>
                  </ConfirmButton>
                ),
            },
          ]}
        />
      </QueryState>
    </>
  );
}
