-- Demo keys are marked as such and expire: a process not in demo mode refuses them, and a demo
-- process keeps its own keys alive only while it runs (src/auth/demo.ts). Before this, demo keys
-- were told apart by a `demo:` name prefix alone and never expired, so a store that ever served a
-- demo session may hold live ones: they are revoked here, whatever store this is.
alter table api_keys
  add column kind text not null default 'standard'
    constraint api_keys_kind_check check (kind in ('standard', 'demo')),
  add column expires_at timestamptz,
  add constraint api_keys_demo_expiry_check check (kind <> 'demo' or expires_at is not null);

update api_keys
  set kind = 'demo', expires_at = now(), revoked_at = coalesce(revoked_at, now())
  where name like 'demo:%';

create index api_keys_demo_idx on api_keys (expires_at) where kind = 'demo';

-- One value per name for the whole deployment (every replica on this store reads the same):
-- the generated cursor-signing secret, and the mark a non-demo process leaves on its store.
create table deployment_state (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);
