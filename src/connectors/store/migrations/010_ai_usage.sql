-- Every AI call's tokens and cost (src/ai/usage.ts): one row per answering call, stream or
-- cached answer. Prompt tokens include the cached and cache-written ones, completion tokens the
-- reasoning ones. cost_usd is null when the model had no price. `estimated`: a stream cut before
-- the provider reported its usage. aiUsage groups these rows; `day` is the UTC day of `at`.
create table ai_usage (
  id bigserial primary key,
  at timestamptz not null,
  day date not null,
  request_id text,
  capability text not null,
  provider text not null,
  model text not null,
  principal_id text,
  via text not null check (via in ('call', 'stream', 'cache')),
  prompt_tokens integer not null,
  completion_tokens integer not null,
  cached_tokens integer not null default 0,
  cache_write_tokens integer not null default 0,
  reasoning_tokens integer not null default 0,
  total_tokens integer not null,
  cost_usd numeric,
  estimated boolean not null default false
);
create index ai_usage_at on ai_usage (at);
create index ai_usage_day_capability on ai_usage (day, capability);
