-- The workflow journal (src/workflows/): one row per run and one per step (or compensation) of
-- it, each with its status, attempts, inputs' digest, result and error. A run's job on the queue
-- only wakes it; what it has done is read back from here, so a run killed mid-way resumes at the
-- step it stopped at. `wake_at` is both the lease of the process executing it (pushed forward by
-- its heartbeat) and the time a waiting run is due; a run whose wake_at has passed while it is
-- not finished is taken up again by the sweep of any replica.
create table workflow_runs (
  id text primary key,
  workflow text not null,
  status text not null constraint workflow_runs_status_check
    check (status in ('running', 'pending', 'compensating', 'completed', 'compensated', 'needs_attention')),
  -- forward: running its steps; compensating: undoing the completed ones after a permanent failure.
  phase text not null default 'forward' constraint workflow_runs_phase_check check (phase in ('forward', 'compensating')),
  -- What the run is about (e.g. the customer id), for the graph's filter.
  subject text,
  input jsonb not null,
  input_digest text not null,
  -- principal and key of the caller's idempotency key, when one was given: one run per key.
  idempotency_scope text,
  result jsonb,
  -- The failure as the graph shows it: { code, message, extensions }.
  error jsonb,
  -- Executions of the run (each claim of it by a process).
  attempts integer not null default 0,
  wake_at timestamptz,
  lease_owner text,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint workflow_runs_idempotency_key unique (workflow, idempotency_scope)
);
create index workflow_runs_created on workflow_runs (created_at desc, id desc);
create index workflow_runs_subject on workflow_runs (subject);
create index workflow_runs_open on workflow_runs (wake_at) where status not in ('completed', 'compensated');

create table workflow_steps (
  run_id text not null references workflow_runs (id) on delete cascade,
  kind text not null constraint workflow_steps_kind_check check (kind in ('action', 'compensation')),
  name text not null,
  position integer not null,
  status text not null constraint workflow_steps_status_check check (status in ('running', 'completed', 'failed', 'retrying')),
  attempts integer not null default 0,
  input_digest text,
  result jsonb,
  error_code text,
  error_message text,
  started_at timestamptz,
  finished_at timestamptz,
  primary key (run_id, kind, name)
);

-- PENDING: a step waits for an upstream to come back, with the reason in link_error.
alter table customers drop constraint customers_link_status_check;
alter table customers add constraint customers_link_status_check check (link_status in ('provisioning', 'pending', 'linked', 'needs_repair'));
