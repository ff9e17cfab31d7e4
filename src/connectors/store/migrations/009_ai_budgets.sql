-- AI budgets (src/ai/budgets/) when Redis is not configured: what each budget has spent or
-- reserved on each UTC day. Reservations are checked and added by one conditional upsert per
-- budget, so replicas on this database cannot overspend. `alerts` holds the alert levels already
-- sent for the day (1: 80%, 2: 100%), so each fires once across replicas.
create table ai_budget_usage (
  budget text not null,
  day date not null,
  spent_usd numeric not null default 0,
  spent_tokens bigint not null default 0,
  alerts smallint not null default 0,
  primary key (budget, day)
);
