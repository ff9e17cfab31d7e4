-- Import and reconciliation (src/sync/): one row per run, with where it stands (phase, the
-- listing cursor it stopped at, its progress) so an import killed half-way resumes at its last
-- committed page, and one row per drift a reconciliation found, with what its repair did.
create table sync_runs (
  id text primary key,
  kind text not null constraint sync_runs_kind_check check (kind in ('import', 'reconcile')),
  status text not null constraint sync_runs_status_check check (status in ('queued', 'running', 'completed', 'failed')),
  -- What was asked: { fix, deleteStrays } for a reconciliation.
  options jsonb not null default '{}',
  -- Who asked (a principal id, `schedule` for the nightly run).
  requested_by text not null,
  phase text,
  -- Per phase, the listing cursor after the last page whose effects are committed.
  cursor jsonb not null default '{}',
  -- { phase, done, total } of the current phase, and the counts so far (imported, linked, drift...).
  progress jsonb not null default '{}',
  counts jsonb not null default '{}',
  error text,
  -- The process working on it and until when (pushed forward while it works): a run whose lease
  -- passed is taken up again, from its cursor, by the next claim.
  lease_owner text,
  lease_until timestamptz,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
create index sync_runs_created on sync_runs (kind, created_at desc, id desc);
-- One import or reconciliation at a time: a second request joins the open one.
create unique index sync_runs_one_open on sync_runs (kind) where status in ('queued', 'running');

create table sync_drift (
  run_id text not null references sync_runs (id) on delete cascade,
  seq integer not null,
  kind text not null,
  -- The system the drift is seen in (store, payments, crm) and the ids involved.
  system text not null,
  customer_id text,
  upstream_id text,
  detail text not null,
  -- What a repair does (or would do, without --fix), and how it went.
  repair text,
  repair_status text constraint sync_drift_repair_check check (repair_status in ('fixed', 'failed', 'skipped')),
  repair_error text,
  primary key (run_id, seq)
);
