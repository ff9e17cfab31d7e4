-- API keys. The secret is never stored: only its SHA-256 (src/auth/apiKeys.ts says why not bcrypt).
-- The id is embedded in the key itself, so a lookup is one primary-key read.
create table api_keys (
  id text primary key,
  name text not null,
  role text not null
    constraint api_keys_role_check check (role in ('admin', 'operator', 'app', 'customer', 'service')),
  scopes text[] not null default '{}',
  -- Role `customer` only: the one customer the key may see. No foreign key: a key outliving its
  -- customer sees nothing (the ownership rules find no record), and customers stay truncatable.
  customer_id text,
  secret_hash text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  constraint api_keys_customer_check check ((role = 'customer') = (customer_id is not null))
);

create index api_keys_active_name_idx on api_keys (name) where revoked_at is null;
