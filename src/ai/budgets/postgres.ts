// The budgets ledger on the store (Postgres, or embedded PGlite) when Redis is not configured.
// Each budget's reservation is one conditional upsert: Postgres re-checks its WHERE against the
// row as the last committed writer left it, after waiting for that writer's lock, so two replicas
// reserving at once cannot both pass a limit. All budgets of a call are reserved in one
// transaction, in name order (so two calls never wait on each other's rows crosswise), and a
// refusal of one rolls back the others.
import type { Db } from '../../connectors/store/db.ts';
import { KEEP_SECONDS, type AlertLevel, type BudgetLedger, type BudgetLimit, type Charge, type ReserveResult, type Spent } from './types.ts';

const RESERVE = `
insert into ai_budget_usage as u (budget, day, spent_usd, spent_tokens)
select $1::text, $2::date, $3::numeric, $4::bigint
where ($5::numeric is null or $3::numeric <= $5::numeric) and ($6::bigint is null or $4::bigint <= $6::bigint)
on conflict (budget, day) do update set spent_usd = u.spent_usd + excluded.spent_usd, spent_tokens = u.spent_tokens + excluded.spent_tokens
where ($5::numeric is null or u.spent_usd + excluded.spent_usd <= $5::numeric)
  and ($6::bigint is null or u.spent_tokens + excluded.spent_tokens <= $6::bigint)
returning spent_usd::text as usd, spent_tokens::text as tokens`;

const ADJUST = `
update ai_budget_usage set spent_usd = spent_usd + $3::numeric, spent_tokens = spent_tokens + $4::bigint
where budget = $1 and day = $2::date
returning spent_usd::text as usd, spent_tokens::text as tokens`;

// A day's rows outlive it by one more, as Redis keys do (KEEP_SECONDS), then go.
const KEEP_DAYS = KEEP_SECONDS / 86_400 - 1;

interface Row {
  usd: string;
  tokens: string;
}

// Thrown inside the transaction to roll back the budgets already reserved for the call.
class Refused extends Error {
  constructor(readonly result: ReserveResult) {
    super('budget refused');
  }
}

// Numeric as text: exact in the database, whatever float the estimate was.
const usdText = (usd: number) => usd.toFixed(8);

async function refusal(tx: Db, day: string, b: BudgetLimit, charge: Charge): Promise<ReserveResult> {
  const { rows } = await tx.query<Row>(
    `select spent_usd::text as usd, spent_tokens::text as tokens from ai_budget_usage where budget = $1 and day = $2::date`,
    [b.name, day],
  );
  const spent = { usd: Number(rows[0]?.usd ?? 0), tokens: Number(rows[0]?.tokens ?? 0) };
  if (b.dailyTokens !== undefined && spent.tokens + charge.tokens > b.dailyTokens)
    return { ok: false, budget: b.name, unit: 'tokens', limit: b.dailyTokens, spent: spent.tokens };
  return { ok: false, budget: b.name, unit: 'usd', limit: b.dailyUsd!, spent: spent.usd };
}

export function postgresLedger(store: { transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> }): BudgetLedger {
  return {
    async reserve(day, budgets, charge) {
      const ordered = [...budgets].sort((a, b) => (a.name < b.name ? -1 : 1));
      try {
        return await store.transaction(async (tx): Promise<ReserveResult> => {
          const spent: Spent[] = [];
          for (const b of ordered) {
            const { rows } = await tx.query<Row>(RESERVE, [
              b.name,
              day,
              usdText(charge.usd),
              charge.tokens,
              b.dailyUsd === undefined ? null : usdText(b.dailyUsd),
              b.dailyTokens ?? null,
            ]);
            if (!rows[0]) throw new Refused(await refusal(tx, day, b, charge));
            spent.push({ name: b.name, usd: Number(rows[0].usd), tokens: Number(rows[0].tokens) });
          }
          return { ok: true, spent: budgets.map((b) => spent.find((s) => s.name === b.name)!) };
        });
      } catch (err) {
        if (err instanceof Refused) return err.result;
        throw err;
      }
    },
    async adjust(day, names, delta) {
      const ordered = [...names].sort();
      const spent = await store.transaction(async (tx) => {
        const out = new Map<string, Spent>();
        for (const name of ordered) {
          const { rows } = await tx.query<Row>(ADJUST, [name, day, usdText(delta.usd), delta.tokens]);
          out.set(name, { name, usd: Number(rows[0]?.usd ?? 0), tokens: Number(rows[0]?.tokens ?? 0) });
        }
        return out;
      });
      return names.map((n) => spent.get(n)!);
    },
    async prune(day) {
      await store.transaction((tx) => tx.query(`delete from ai_budget_usage where day < $1::date - ${KEEP_DAYS}`, [day]));
    },
    async read(day, names) {
      const { rows } = await store.transaction((tx) =>
        tx.query<Row & { budget: string }>(
          `select budget, spent_usd::text as usd, spent_tokens::text as tokens from ai_budget_usage where day = $1::date and budget = any($2::text[])`,
          [day, [...names]],
        ),
      );
      const by = new Map(rows.map((r) => [r.budget, r]));
      return names.map((name) => ({ name, usd: Number(by.get(name)?.usd ?? 0), tokens: Number(by.get(name)?.tokens ?? 0) }));
    },
    async claimAlert(day, budget, level: AlertLevel) {
      const bit = level === 100 ? 2 : 1;
      // A budget refused before any reservation of the day has no row yet: make it, then claim.
      const { rows } = await store.transaction(async (tx) => {
        await tx.query(`insert into ai_budget_usage (budget, day) values ($1, $2::date) on conflict do nothing`, [budget, day]);
        return tx.query(
          `update ai_budget_usage set alerts = alerts | $3::smallint where budget = $1 and day = $2::date and (alerts & $3::smallint) = 0 returning 1`,
          [budget, day, bit],
        );
      });
      return rows.length > 0;
    },
  };
}
