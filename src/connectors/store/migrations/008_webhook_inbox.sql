-- Events in (src/events/): every verified webhook event, once per (instance, event id), with its
-- processing state; the job that processes it is enqueued in the same transaction as the row.
create table webhook_events (
  id text primary key,
  -- The connector instance that received it (stripe, hubspot, or one from CONNECTOR_INSTANCES).
  provider text not null,
  event_id text not null,
  type text not null,
  object_id text,
  status text not null default 'received' constraint webhook_events_status_check check (status in ('received', 'processed', 'failed', 'dead')),
  attempts integer not null default 0,
  occurred_at timestamptz not null,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  last_error text,
  payload jsonb not null,
  constraint webhook_events_provider_event_key unique (provider, event_id)
);
create index webhook_events_received on webhook_events (received_at desc, id desc);
create index webhook_events_open on webhook_events (status) where status <> 'processed';

-- What the store knows of each payment, as its provider last showed it when an event said it
-- changed: the reconciliation's view of payments without a call per payment.
create table payments (
  provider text not null,
  id text not null,
  provider_customer_id text,
  status text not null,
  amount bigint not null,
  currency text not null,
  amount_refunded bigint not null,
  synced_at timestamptz not null default now(),
  primary key (provider, id)
);
create index payments_customer on payments (provider, provider_customer_id);

alter table audit_events drop constraint audit_events_kind_check;
alter table audit_events add constraint audit_events_kind_check check (kind in ('operation', 'request', 'alert', 'webhook'));
