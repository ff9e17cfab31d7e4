-- Operator console sessions (src/console/sessions.ts). The cookie's token is never stored: only
-- its SHA-256. A session from an API key keeps the key's id, and every request re-reads the key,
-- so a revocation ends the session at once; one from a JWT keeps the token's role and scopes
-- until the token's own expiry at most.
create table console_sessions (
  token_hash text primary key,
  principal_id text not null,
  role text not null,
  scopes text[] not null default '{}',
  via text not null constraint console_sessions_via_check check (via in ('api_key', 'jwt')),
  key_id text,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);

create index console_sessions_expires_idx on console_sessions (expires_at);
