// AI usage: spend and tokens by day (charts), breakdowns by capability, provider, model and
// principal, and today's budgets.
import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { AI_BUDGET } from '../fragments.ts';
import { DataTable, type Column } from '../table.tsx';
import type { AiBudget } from '../types.ts';
import { ErrorNotice, fmtNum, fmtTime, fmtUsd, Loading } from '../ui.tsx';

interface Totals {
  calls: number;
  cacheHits: number;
  totalTokens: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

interface Group {
  capability: string | null;
  provider: string | null;
  model: string | null;
  principalId: string | null;
  day: string | null;
  totals: Totals;
}

interface Report {
  from: string;
  to: string;
  groups: Group[];
  totals: Totals;
  truncated: boolean;
}

const TOTALS = gql`
  fragment ConsoleAiTotals on AiUsageTotals {
    calls
    cacheHits
    totalTokens
    promptTokens
    completionTokens
    costUsd
  }
`;

const AI = gql`
  query ConsoleAi {
    byDay: aiUsage(groupBy: [DAY]) {
      from
      to
      truncated
      totals {
        ...ConsoleAiTotals
      }
      groups {
        day
        totals {
          ...ConsoleAiTotals
        }
      }
    }
    byCapability: aiUsage(groupBy: [CAPABILITY]) {
      groups {
        capability
        totals {
          ...ConsoleAiTotals
        }
      }
    }
    byProvider: aiUsage(groupBy: [PROVIDER]) {
      groups {
        provider
        totals {
          ...ConsoleAiTotals
        }
      }
    }
    byModel: aiUsage(groupBy: [MODEL]) {
      groups {
        model
        totals {
          ...ConsoleAiTotals
        }
      }
    }
    byPrincipal: aiUsage(groupBy: [PRINCIPAL]) {
      groups {
        principalId
        totals {
          ...ConsoleAiTotals
        }
      }
    }
    aiBudgets {
      ...ConsoleAiBudget
      remainingUsd
      remainingTokens
      resetsAt
    }
  }
  ${TOTALS}
  ${AI_BUDGET}
`;

type Data = {
  byDay: Report;
  byCapability: Pick<Report, 'groups'>;
  byProvider: Pick<Report, 'groups'>;
  byModel: Pick<Report, 'groups'>;
  byPrincipal: Pick<Report, 'groups'>;
  aiBudgets: AiBudget[];
};

function Breakdown({ title, groups, by, testId }: { title: string; groups: Group[] | undefined; by: keyof Omit<Group, 'totals'>; testId: string }) {
  return (
    <section className="card" aria-labelledby={`${testId}-title`}>
      <h2 id={`${testId}-title`}>{title}</h2>
      <DataTable
        testId={testId}
        rows={groups}
        rowKey={(g) => g[by] ?? '(none)'}
        columns={[
          { header: title.replace(/^By /, ''), cell: (g) => g[by] ?? '(none)', rowHeader: true },
          { header: 'Calls', cell: (g) => fmtNum(g.totals.calls) },
          { header: 'Tokens', cell: (g) => fmtNum(g.totals.totalTokens) },
          { header: 'Cost', cell: (g) => fmtUsd(g.totals.costUsd) },
        ]}
      />
    </section>
  );
}

const BUDGET_COLUMNS: Column<AiBudget>[] = [
  { header: 'Budget', cell: (b) => b.name, rowHeader: true },
  { header: 'Spent (USD)', cell: (b) => fmtUsd(b.spentUsd) },
  { header: 'Limit (USD)', cell: (b) => fmtUsd(b.limitUsd) },
  { header: 'Left (USD)', cell: (b) => fmtUsd(b.remainingUsd) },
  { header: 'Spent (tokens)', cell: (b) => fmtNum(b.spentTokens) },
  { header: 'Limit (tokens)', cell: (b) => fmtNum(b.limitTokens) },
  { header: 'Resets', cell: (b) => fmtTime(b.resetsAt) },
];

type Day = { day: string | null; costUsd: number; tokens: number };

function DayChart(props: {
  title: string;
  testId: string;
  days: Day[];
  dataKey: 'costUsd' | 'tokens';
  name: string;
  fill: string;
  format: (n: number) => string;
}) {
  return (
    <figure className="card chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={props.days}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" fontSize={11} />
          <YAxis fontSize={11} width={56} />
          <Tooltip formatter={(v) => props.format(Number(v))} />
          <Bar dataKey={props.dataKey} name={props.name} fill={props.fill} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function Ai() {
  const { data, error, loading } = useQuery<Data>(AI, { pollInterval: 30_000, errorPolicy: 'all' });
  if (loading && !data) return <Loading what="AI usage" />;
  const days = [...(data?.byDay?.groups ?? [])]
    .sort((a, b) => (a.day ?? '').localeCompare(b.day ?? ''))
    .map((g) => ({ day: g.day, costUsd: g.totals.costUsd, tokens: g.totals.totalTokens }));
  const total = data?.byDay?.totals;
  return (
    <>
      <h1>AI usage</h1>
      {error && <ErrorNotice error={error} />}
      {total && (
        <p data-testid="ai-totals">
          {fmtTime(data.byDay.from)} to {fmtTime(data.byDay.to)}: {fmtNum(total.calls)} calls ({fmtNum(total.cacheHits)} cached), {fmtNum(total.totalTokens)}{' '}
          tokens, <strong>{fmtUsd(total.costUsd)}</strong>
        </p>
      )}
      <div className="grid two">
        <DayChart title="Spend by day (USD)" testId="ai-spend-chart" days={days} dataKey="costUsd" name="USD" fill="#2563eb" format={fmtUsd} />
        <DayChart title="Tokens by day" testId="ai-tokens-chart" days={days} dataKey="tokens" name="Tokens" fill="#0f766e" format={fmtNum} />
      </div>
      <section aria-labelledby="budgets-title">
        <h2 id="budgets-title">Budgets today</h2>
        <DataTable scroll testId="ai-budgets" columns={BUDGET_COLUMNS} rows={data?.aiBudgets} rowKey={(b) => b.name} />
      </section>
      <div className="grid two">
        <Breakdown title="By capability" by="capability" groups={data?.byCapability?.groups} testId="ai-by-capability" />
        <Breakdown title="By provider" by="provider" groups={data?.byProvider?.groups} testId="ai-by-provider" />
        <Breakdown title="By model" by="model" groups={data?.byModel?.groups} testId="ai-by-model" />
        <Breakdown title="By principal" by="principalId" groups={data?.byPrincipal?.groups} testId="ai-by-principal" />
      </div>
    </>
  );
}
