-- A customer's link to its payments provider is named for the kind, not for one provider: the
-- provider is a connector module (src/connectors/registry.ts), and may change.
alter table customers rename column stripe_customer_id to payments_customer_id;
alter table customers rename constraint customers_stripe_customer_id_key to customers_payments_customer_id_key;
