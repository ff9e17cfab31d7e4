-- The audit trail: one row per operation (and per alert), hash-chained for tamper evidence.
-- One chain per table: every writer appends under a transaction-scoped advisory lock, so `seq`
-- is gap-free and each row's prev_hash is the hash of the row before it, whatever the number of
-- replicas (src/connectors/store/audit.ts). The indexed columns are copies of fields of `record`,
-- for filtering; `switchyard audit verify` checks them against the record as well as the chain.
create table audit_events (
  seq bigint primary key,
  -- Assigned by the writer when the record is made, so a spool replayed after a crash is not
  -- written twice.
  id text not null constraint audit_events_id_key unique,
  occurred_at timestamptz not null,
  kind text not null constraint audit_events_kind_check check (kind in ('operation', 'request', 'alert')),
  request_id text,
  principal_id text,
  operation_name text,
  operation_type text,
  outcome text not null,
  connectors text[] not null default '{}',
  record jsonb not null,
  prev_hash text not null,
  hash text not null,
  inserted_at timestamptz not null default now()
);

create index audit_events_occurred_at_idx on audit_events (occurred_at);
create index audit_events_principal_idx on audit_events (principal_id, seq);
create index audit_events_operation_idx on audit_events (operation_name, seq);
create index audit_events_outcome_idx on audit_events (outcome, seq);
create index audit_events_connectors_idx on audit_events using gin (connectors);
