// The budgets ledger on Redis: one hash per budget and day (fields t: tokens, u: USD in units of
// 1e-8, the price table's precision, so Lua adds whole numbers exactly). Check-and-reserve over
// every budget of a call is one Lua script, which Redis runs alone: no other replica's reservation
// can land between the check and the add.
import type { Redis } from 'ioredis';
import { KEEP_SECONDS, type AlertLevel, type BudgetLedger, type BudgetUnit, type Charge, type Spent } from './types.ts';

const USD_UNITS = 1e8;
const units = (usd: number) => Math.round(usd * USD_UNITS);

// ARGV: tokens, usd units, ttl, then per key its token and USD limits (-1: none). Returns
// {0, t1, u1, t2, u2, ...} once reserved, or {index, unit, limit, spent} of the first budget
// that would go over, having added nothing.
const RESERVE = `
local tokens, usd, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for i, key in ipairs(KEYS) do
  local lt, lu = tonumber(ARGV[2 + 2 * i]), tonumber(ARGV[3 + 2 * i])
  local st = tonumber(redis.call('HGET', key, 't') or '0')
  local su = tonumber(redis.call('HGET', key, 'u') or '0')
  if lt >= 0 and st + tokens > lt then return {i, 'tokens', lt, st} end
  if lu >= 0 and su + usd > lu then return {i, 'usd', lu, su} end
end
local out = {0}
for _, key in ipairs(KEYS) do
  table.insert(out, redis.call('HINCRBY', key, 't', tokens))
  table.insert(out, redis.call('HINCRBY', key, 'u', usd))
  redis.call('EXPIRE', key, ttl)
end
return out`;

// ARGV: tokens, usd units (either may be negative), ttl. Returns {t1, u1, t2, u2, ...}.
const ADJUST = `
local out = {}
for _, key in ipairs(KEYS) do
  table.insert(out, redis.call('HINCRBY', key, 't', ARGV[1]))
  table.insert(out, redis.call('HINCRBY', key, 'u', ARGV[2]))
  redis.call('EXPIRE', key, ARGV[3])
end
return out`;

type Script = (numberOfKeys: number, ...args: (string | number)[]) => Promise<(number | string)[]>;
interface Scripts {
  aiBudgetReserve: Script;
  aiBudgetAdjust: Script;
}

// The hash tag keeps every key of one day in one Redis Cluster slot, as a script's keys must be.
const key = (day: string, budget: string) => `ai-budget:{${day}}:${budget}`;

function totals(names: readonly string[], flat: readonly (number | string)[], from: number): Spent[] {
  return names.map((name, i) => ({ name, tokens: Number(flat[from + 2 * i]), usd: Number(flat[from + 2 * i + 1]) / USD_UNITS }));
}

export function redisLedger(redis: Redis): BudgetLedger {
  // ioredis sends each script by its SHA (EVALSHA) and loads it once when Redis does not know it.
  if (!('aiBudgetReserve' in redis)) {
    redis.defineCommand('aiBudgetReserve', { lua: RESERVE });
    redis.defineCommand('aiBudgetAdjust', { lua: ADJUST });
  }
  const scripts = redis as unknown as Scripts;
  return {
    async reserve(day, budgets, charge) {
      const limits = budgets.flatMap((b) => [b.dailyTokens ?? -1, b.dailyUsd === undefined ? -1 : Math.floor(b.dailyUsd * USD_UNITS)]);
      const out = await scripts.aiBudgetReserve(
        budgets.length,
        ...budgets.map((b) => key(day, b.name)),
        charge.tokens,
        units(charge.usd),
        KEEP_SECONDS,
        ...limits,
      );
      const at = Number(out[0]);
      if (at === 0)
        return {
          ok: true,
          spent: totals(
            budgets.map((b) => b.name),
            out,
            1,
          ),
        };
      const b = budgets[at - 1]!;
      const unit = out[1] as BudgetUnit;
      return unit === 'usd'
        ? { ok: false, budget: b.name, unit, limit: b.dailyUsd!, spent: Number(out[3]) / USD_UNITS }
        : { ok: false, budget: b.name, unit, limit: b.dailyTokens!, spent: Number(out[3]) };
    },
    async adjust(day, names, delta: Charge) {
      const out = await scripts.aiBudgetAdjust(names.length, ...names.map((n) => key(day, n)), delta.tokens, units(delta.usd), KEEP_SECONDS);
      return totals(names, out, 0);
    },
    async read(day, names) {
      if (!names.length) return [];
      const batch = redis.pipeline();
      for (const n of names) batch.hmget(key(day, n), 't', 'u');
      const out = (await batch.exec()) ?? [];
      return names.map((name, i) => {
        const [err, values] = out[i] ?? [null, [null, null]];
        if (err) throw err;
        const [t, u] = values as (string | null)[];
        return { name, tokens: Number(t ?? 0), usd: Number(u ?? 0) / USD_UNITS };
      });
    },
    async claimAlert(day, budget, level: AlertLevel) {
      return (await redis.set(`${key(day, budget)}:alert:${level}`, '1', 'EX', KEEP_SECONDS, 'NX')) === 'OK';
    },
  };
}
