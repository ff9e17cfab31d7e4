-- A keyed MAC over each row's place in the chain: HMAC-SHA256(AUDIT_HMAC_KEY, seq and hash).
-- The key lives in the configuration only, so someone who can write to this table can still
-- recompute every hash but not these; null for rows written without a key
-- (src/plugins/audit/chain.ts, `switchyard audit verify`).
alter table audit_events add column mac text;
