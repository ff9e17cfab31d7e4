-- Reports (README "Reports"): what the payments mirror and the customers need for them, the
-- read-only views a BI tool reads, and the role it reads them as.

-- When the payment was made upstream (it never changes there). Null only for a row mirrored
-- before this migration, until its next event or the import rewrites it: such a row is in no
-- daily figure until then.
alter table payments add column created_at timestamptz;
-- The days are UTC days: the reports group and filter on this expression (timezone(text,
-- timestamptz) is immutable, so it can be indexed).
create index payments_created_day on payments (((created_at at time zone 'UTC')::date));

-- The CRM contact's lifecycle stage as the CRM last showed it: set when a contact is linked and
-- by every contact event (src/events/apply.ts). Null without a contact, or before one is heard of.
alter table customers add column crm_lifecycle_stage text;

create view report_revenue_daily as
select
  (created_at at time zone 'UTC')::date as day,
  currency,
  sum(amount)::bigint as gross,
  sum(amount_refunded)::bigint as refunded,
  sum(amount - amount_refunded)::bigint as net,
  count(*)::bigint as payments
from payments
where status = 'succeeded' and created_at is not null
group by 1, 2;

comment on view report_revenue_daily is
  'Revenue per UTC day and currency (lower-case ISO 4217), amounts in minor units: succeeded payments by the day they were made; '
  'gross is their amount, refunded what has been refunded of them so far (whenever the refund was made), net = gross - refunded. '
  'A later refund lowers the net of the day its payment was made. Payments not (yet) succeeded are not revenue.';

create view report_payments_by_status as
select
  (created_at at time zone 'UTC')::date as day,
  status,
  currency,
  count(*)::bigint as payments,
  sum(amount)::bigint as amount,
  sum(amount_refunded)::bigint as refunded
from payments
where created_at is not null
group by 1, 2, 3;

comment on view report_payments_by_status is
  'Payments per UTC day they were made, status (as the payments provider last showed it) and currency: how many, their amount and what has been refunded of them, in minor units.';

create view report_customers_by_lifecycle_stage as
select
  crm_contact_id is not null as has_crm_contact,
  case when crm_contact_id is null then null else crm_lifecycle_stage end as lifecycle_stage,
  count(*)::bigint as customers
from customers
group by 1, 2;

comment on view report_customers_by_lifecycle_stage is
  'Customers per CRM lifecycle stage, as mirrored from the CRM: has_crm_contact false counts the customers without a contact; '
  'lifecycle_stage null with has_crm_contact true counts contacts whose stage is not known yet.';

-- The role BI tools read the views as. Roles belong to the whole server, not to one schema, so it
-- is created once (several schemas may migrate at the same moment: the loser of that race finds
-- it made). NOLOGIN: the operator gives it a login and password (README "Reports"). It is granted
-- the views only: a view reads its tables with its owner's rights, so the role sees the sums and
-- never a customer's email, a payment row or the audit trail. A database user that may not create
-- roles (or grant on the schema) still migrates: the README gives the statements to run instead.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'switchyard_reports') then
    begin
      create role switchyard_reports nologin;
    exception
      when duplicate_object or unique_violation then null;
      when insufficient_privilege then
        raise notice 'role switchyard_reports not created: % may not create roles (see README "Reports")', current_user;
        return;
    end;
  end if;
  begin
    execute format('grant usage on schema %I to switchyard_reports', current_schema());
  exception when insufficient_privilege then
    raise notice 'usage on schema % not granted to switchyard_reports: % may not grant it (see README "Reports")', current_schema(), current_user;
  end;
  grant select on report_revenue_daily, report_payments_by_status, report_customers_by_lifecycle_stage to switchyard_reports;
end
$$;
