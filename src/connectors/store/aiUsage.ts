// What every AI call used and cost (migration 010), and its sums by capability, provider, model,
// principal and day. Written in batches by src/ai/usage.ts; read by aiUsage and aiBudgets.
import type { Db } from './db.ts';

export interface AiUsageRow {
  at: Date;
  requestId: string | null;
  capability: string;
  provider: string;
  model: string;
  principalId: string | null;
  via: 'call' | 'stream' | 'cache';
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  costUsd: number | null;
  estimated: boolean;
}

export type AiUsageDimension = 'capability' | 'provider' | 'model' | 'principal' | 'day';

export interface AiUsageQuery {
  groupBy: readonly AiUsageDimension[];
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  /** Most groups returned (the totals count every row). */
  limit: number;
}

export interface AiUsageSums {
  calls: number;
  cacheHits: number;
  estimatedCalls: number;
  unpricedCalls: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  costUsd: number;
}

export interface AiUsageGroup extends AiUsageSums {
  capability: string | null;
  provider: string | null;
  model: string | null;
  principalId: string | null;
  /** YYYY-MM-DD (UTC). */
  day: string | null;
}

export interface AiUsageReport {
  groups: AiUsageGroup[];
  totals: AiUsageSums;
  /** More groups matched than `limit`: the dearest are returned. */
  truncated: boolean;
}

export interface AiUsageStore {
  insert(rows: readonly AiUsageRow[]): Promise<void>;
  report(q: AiUsageQuery): Promise<AiUsageReport>;
  /** The principals who used a capability on a UTC day (aiBudgets lists their per-principal budgets). */
  principals(day: string, capability: string, limit: number): Promise<string[]>;
}

// The only column names that reach SQL text: a dimension picks one of these, never a string of the caller's.
const COLUMNS: Record<AiUsageDimension, string> = {
  capability: 'capability',
  provider: 'provider',
  model: 'model',
  principal: 'principal_id',
  day: `to_char(day, 'YYYY-MM-DD')`,
};

const SUMS = `count(*) as calls, count(*) filter (where via = 'cache') as cache_hits, count(*) filter (where estimated) as estimated_calls,
  count(*) filter (where cost_usd is null and via <> 'cache') as unpriced_calls, coalesce(sum(prompt_tokens), 0) as prompt_tokens,
  coalesce(sum(completion_tokens), 0) as completion_tokens, coalesce(sum(cached_tokens), 0) as cached_tokens,
  coalesce(sum(reasoning_tokens), 0) as reasoning_tokens, coalesce(sum(total_tokens), 0) as total_tokens, coalesce(sum(cost_usd), 0) as cost_usd`;

const FIELDS = 15;

type SumsRow = Record<
  | 'calls'
  | 'cache_hits'
  | 'estimated_calls'
  | 'unpriced_calls'
  | 'prompt_tokens'
  | 'completion_tokens'
  | 'cached_tokens'
  | 'reasoning_tokens'
  | 'total_tokens'
  | 'cost_usd',
  string | number
>;

function sums(r: SumsRow): AiUsageSums {
  return {
    calls: Number(r.calls),
    cacheHits: Number(r.cache_hits),
    estimatedCalls: Number(r.estimated_calls),
    unpricedCalls: Number(r.unpriced_calls),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
    cachedTokens: Number(r.cached_tokens),
    reasoningTokens: Number(r.reasoning_tokens),
    totalTokens: Number(r.total_tokens),
    costUsd: Number(r.cost_usd),
  };
}

export function createAiUsageStore(db: Db): AiUsageStore {
  return {
    async insert(rows) {
      if (!rows.length) return;
      const values: unknown[] = [];
      const tuples = rows.map((r, i) => {
        const at = r.at.toISOString();
        values.push(at, r.requestId, r.capability, r.provider, r.model, r.principalId, r.via, r.promptTokens, r.completionTokens);
        values.push(r.cachedTokens, r.cacheWriteTokens, r.reasoningTokens, r.totalTokens, r.costUsd, r.estimated);
        const p = Array.from({ length: FIELDS }, (_, k) => `$${i * FIELDS + k + 1}`);
        // The day is the UTC day of `at`, whatever the session's time zone.
        return `(${p[0]}::timestamptz, (${p[0]}::timestamptz at time zone 'UTC')::date, ${p.slice(1).join(', ')})`;
      });
      await db.query(
        `insert into ai_usage (at, day, request_id, capability, provider, model, principal_id, via, prompt_tokens, completion_tokens,
           cached_tokens, cache_write_tokens, reasoning_tokens, total_tokens, cost_usd, estimated) values ${tuples.join(', ')}`,
        values,
      );
    },

    async report(q) {
      const dims = [...new Set(q.groupBy)];
      const keys = dims.map((d) => `${COLUMNS[d]} as ${d}`);
      const where = `where at >= $1 and at < $2`;
      const params = [q.from.toISOString(), q.to.toISOString()];
      const [grouped, total] = await Promise.all([
        dims.length
          ? db.query<SumsRow & Partial<Record<AiUsageDimension, string | null>>>(
              `select ${keys.join(', ')}, ${SUMS} from ai_usage ${where} group by ${dims.map((d) => COLUMNS[d]).join(', ')}
               order by coalesce(sum(cost_usd), 0) desc, count(*) desc, ${dims.map((d) => COLUMNS[d]).join(', ')} limit ${q.limit + 1}`,
              params,
            )
          : Promise.resolve({ rows: [] }),
        db.query<SumsRow>(`select ${SUMS} from ai_usage ${where}`, params),
      ]);
      const totals = sums(total.rows[0]!);
      const rows = dims.length ? grouped.rows : [];
      const groups = rows.slice(0, q.limit).map((r) => ({
        capability: r.capability ?? null,
        provider: r.provider ?? null,
        model: r.model ?? null,
        principalId: r.principal ?? null,
        day: r.day ?? null,
        ...sums(r),
      }));
      if (!dims.length) groups.push({ capability: null, provider: null, model: null, principalId: null, day: null, ...totals });
      return { groups, totals, truncated: rows.length > q.limit };
    },

    async principals(day, capability, limit) {
      const { rows } = await db.query<{ principal_id: string }>(
        `select principal_id from ai_usage where day = $1::date and capability = $2 and principal_id is not null
         group by principal_id order by sum(total_tokens) desc limit $3`,
        [day, capability, limit],
      );
      return rows.map((r) => r.principal_id);
    },
  };
}
