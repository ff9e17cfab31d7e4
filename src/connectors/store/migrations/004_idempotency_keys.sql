-- Idempotency records of the writes clients key (createPayment, refundPayment): one row per
-- (principal, operation, client key), so two principals never share a key space. A row is
-- in_progress while its first request runs (claim names that request, locked_until bounds how
-- long it may hold the key if its process dies) and done once the answer is stored; replays and
-- conflicts are answered from it until expires_at, whatever the upstream remembers
-- (src/connectors/store/idempotency.ts, src/idempotency/).
create table idempotency_keys (
  principal_id text not null,
  operation text not null,
  key text not null,
  -- SHA-256 of the request's canonical form: the same key with another request is a conflict.
  request_hash text not null,
  state text not null constraint idempotency_keys_state_check check (state in ('in_progress', 'done')),
  claim text not null,
  locked_until timestamptz,
  -- { "ok": <result> } or { "error": <the upstream's final refusal> }; null while in progress.
  response jsonb,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (principal_id, operation, key),
  constraint idempotency_keys_done_check check ((state = 'done') = (response is not null))
);

create index idempotency_keys_expires_at_idx on idempotency_keys (expires_at);
