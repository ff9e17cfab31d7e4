-- One value per name for the whole deployment (every replica on this store reads the same):
-- the generated cursor-signing secret, and the mark a non-demo process leaves on its store.
create table deployment_state (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);
