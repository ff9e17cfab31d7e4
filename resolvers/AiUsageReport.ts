// Query.aiUsage and Query.aiBudgets: what AI calls cost, from the ai_usage table, and where each
// budget stands today, from the budget ledger (the same one that refuses calls).
import type { AiBudget, AiUsageDimension, QueryResolvers } from '../src/generated/graphql.ts';
import type { AiUsageDimension as Dimension, AiUsageSums } from '../src/connectors/store/index.ts';
import type { DailyLimit } from '../src/ai/config.ts';
import { badInput } from '../src/errors/index.ts';
import { checkDateTime } from '../src/validation.ts';

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 366;
const MAX_GROUPS = 1_000;
// Per capability: the principals listed with their own budget, heaviest users first.
const MAX_PRINCIPALS = 100;

const DIMENSIONS: Record<AiUsageDimension, Dimension> = {
  CAPABILITY: 'capability',
  PROVIDER: 'provider',
  MODEL: 'model',
  PRINCIPAL: 'principal',
  DAY: 'day',
};

const round = (usd: number) => Math.round(usd * 1e8) / 1e8;
const totals = (s: AiUsageSums) => ({ ...s, costUsd: round(s.costUsd) });

export const aiUsage: QueryResolvers['aiUsage'] = async (_p, args, ctx) => {
  const to = checkDateTime('to', args.to) ?? new Date();
  const from = checkDateTime('from', args.from) ?? new Date(to.getTime() - 30 * DAY_MS);
  if (from >= to) throw badInput('to', 'to must be after from');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) throw badInput('from', `The range may span at most ${MAX_RANGE_DAYS} days`);
  const groupBy = (args.groupBy ?? []).map((d) => DIMENSIONS[d]);
  const report = await ctx.connectors.store.aiUsage.report({ groupBy, from, to, limit: MAX_GROUPS });
  return {
    from,
    to,
    groups: report.groups.map((g) => ({
      capability: g.capability,
      provider: g.provider,
      model: g.model,
      principalId: g.principalId,
      day: g.day,
      totals: totals(g),
    })),
    totals: totals(report.totals),
    truncated: report.truncated,
  };
};

function budget(
  name: string,
  capability: string,
  principalId: string | null,
  limit: DailyLimit,
  spent: { usd: number; tokens: number },
  resetsAt: string,
): AiBudget {
  const left = (max: number | undefined, used: number) => (max === undefined ? null : Math.max(0, max - used));
  return {
    name,
    capability,
    principalId,
    limitUsd: limit.dailyUsd ?? null,
    spentUsd: round(spent.usd),
    remainingUsd: limit.dailyUsd === undefined ? null : round(left(limit.dailyUsd, spent.usd)!),
    limitTokens: limit.dailyTokens ?? null,
    spentTokens: spent.tokens,
    remainingTokens: left(limit.dailyTokens, spent.tokens),
    resetsAt,
  };
}

export const aiBudgets: QueryResolvers['aiBudgets'] = async (_p, _args, ctx) => {
  const ai = ctx.services.ai;
  const ledger = ai.budgets;
  if (!ledger) return [];
  const day = ledger.today();
  const wanted: { name: string; capability: string; principalId: string | null; limit: DailyLimit }[] = [];
  for (const [capability, c] of Object.entries(ai.configured)) {
    if (c.budget) wanted.push({ name: `capability:${capability}`, capability, principalId: null, limit: c.budget });
    if (c.perPrincipal) {
      for (const id of await ctx.connectors.store.aiUsage.principals(day, capability, MAX_PRINCIPALS))
        wanted.push({ name: `principal:${id}:${capability}`, capability, principalId: id, limit: c.perPrincipal });
    }
  }
  const { resetAt, spent } = await ledger.status(wanted.map((w) => ({ name: w.name })));
  return wanted.map((w, i) => budget(w.name, w.capability, w.principalId, w.limit, spent[i]!, resetAt));
};
