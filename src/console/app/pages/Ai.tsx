// AI usage: spend and tokens by day (charts), breakdowns by capability, provider, model and
// principal, and today's budgets.
import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
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
      name
      capability
      principalId
      limitUsd
      spentUsd
      remainingUsd
      limitTokens
      spentTokens
      remainingTokens
      resetsAt
    }
  }
  ${TOTALS}
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
      <table data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{title.replace(/^By /, '')}</th>
            <th scope="col">Calls</th>
            <th scope="col">Tokens</th>
            <th scope="col">Cost</th>
          </tr>
        </thead>
        <tbody>
          {groups?.map((g) => (
            <tr key={g[by] ?? '(none)'}>
              <th scope="row">{g[by] ?? '(none)'}</th>
              <td>{fmtNum(g.totals.calls)}</td>
              <td>{fmtNum(g.totals.totalTokens)}</td>
              <td>{fmtUsd(g.totals.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
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
        <figure className="card chart" data-testid="ai-spend-chart">
          <figcaption>Spend by day (USD)</figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={days}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" fontSize={11} />
              <YAxis fontSize={11} width={56} />
              <Tooltip formatter={(v) => fmtUsd(Number(v))} />
              <Bar dataKey="costUsd" name="USD" fill="#2563eb" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </figure>
        <figure className="card chart" data-testid="ai-tokens-chart">
          <figcaption>Tokens by day</figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={days}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" fontSize={11} />
              <YAxis fontSize={11} width={56} />
              <Tooltip formatter={(v) => fmtNum(Number(v))} />
              <Bar dataKey="tokens" name="Tokens" fill="#0f766e" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </figure>
      </div>
      <section aria-labelledby="budgets-title">
        <h2 id="budgets-title">Budgets today</h2>
        <div className="scroll">
          <table data-testid="ai-budgets">
            <thead>
              <tr>
                <th scope="col">Budget</th>
                <th scope="col">Spent (USD)</th>
                <th scope="col">Limit (USD)</th>
                <th scope="col">Left (USD)</th>
                <th scope="col">Spent (tokens)</th>
                <th scope="col">Limit (tokens)</th>
                <th scope="col">Resets</th>
              </tr>
            </thead>
            <tbody>
              {data?.aiBudgets?.map((b) => (
                <tr key={b.name}>
                  <th scope="row">{b.name}</th>
                  <td>{fmtUsd(b.spentUsd)}</td>
                  <td>{fmtUsd(b.limitUsd)}</td>
                  <td>{fmtUsd(b.remainingUsd)}</td>
                  <td>{fmtNum(b.spentTokens)}</td>
                  <td>{fmtNum(b.limitTokens)}</td>
                  <td>{fmtTime(b.resetsAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
