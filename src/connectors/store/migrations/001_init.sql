-- Switchyard's customers and their links to Stripe and the CRM.
create table customers (
  id text primary key,
  email text not null,
  name text,
  -- Kept at millisecond precision so a JS Date (and so a cursor built from a record) holds it
  -- exactly: keyset pagination compares against it and must not skip or repeat rows.
  created_at timestamptz not null default date_trunc('milliseconds', now())
    constraint customers_created_at_ms check (created_at = date_trunc('milliseconds', created_at)),
  stripe_customer_id text constraint customers_stripe_customer_id_key unique,
  crm_contact_id text constraint customers_crm_contact_id_key unique,
  link_status text not null
    constraint customers_link_status_check check (link_status in ('provisioning', 'linked', 'needs_repair')),
  link_error text,
  updated_at timestamptz not null default now()
);

create unique index customers_email_lower_key on customers (lower(email));
create index customers_created_at_id_idx on customers (created_at desc, id desc);
