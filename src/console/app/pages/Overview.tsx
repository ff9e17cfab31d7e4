// The first page: every connector's health, the inbox backlog, runs needing attention, AI spend
// against budgets and the alerts firing. Polled every 2 s, so an opening circuit shows within 5 s.
import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Link } from 'react-router-dom';
import { Line, LineChart, ResponsiveContainer, Tooltip, YAxis } from 'recharts';
import { Badge, ErrorNotice, fmtMs, fmtNum, fmtPct, fmtTime, fmtUsd, Loading } from '../ui.tsx';
import { AI_BUDGET, CONNECTOR_HEALTH } from '../fragments.ts';
import { DataTable, type Column } from '../table.tsx';
import type { Alert, AiBudget, BacklogCount, ConnectorStatus, WorkflowRunSummary } from '../types.ts';

const OVERVIEW = gql`
  query ConsoleOverview {
    connectors {
      ...ConsoleConnectorHealth
      series {
        at
        calls
        errors
      }
    }
    webhookBacklog {
      status
      count
    }
    workflowRuns(filter: { status: NEEDS_ATTENTION }, first: 10) {
      totalCount
      edges {
        node {
          id
          workflow
          subject
          errorCode
          updatedAt
        }
      }
    }
    aiBudgets {
      ...ConsoleAiBudget
    }
    alerts {
      condition
      connector
      operation
      message
      since
    }
  }
  ${CONNECTOR_HEALTH}
  ${AI_BUDGET}
`;

interface OverviewData {
  connectors: ConnectorStatus[];
  webhookBacklog: BacklogCount[];
  workflowRuns: { totalCount: number; edges: { node: WorkflowRunSummary }[] };
  aiBudgets: AiBudget[];
  alerts: Alert[];
}

const CIRCUIT_ICON: Record<string, string> = { CLOSED: '●', OPEN: '✕', HALF_OPEN: '◐' };

export function Circuit({ name, circuit }: { name: string; circuit: string }) {
  return (
    <span className={`circuit circuit-${circuit.toLowerCase()}`}>
      <span aria-hidden="true">{CIRCUIT_ICON[circuit] ?? '?'}</span>{' '}
      <span data-testid={`circuit-${name}`} data-circuit={circuit}>
        {circuit}
      </span>
    </span>
  );
}

function Sparkline({ series }: { series: ConnectorStatus['series'] }) {
  return (
    <figure
      className="spark"
      aria-label={`Calls and errors per minute over the last hour: ${series.reduce((s, p) => s + p.calls, 0)} calls, ${series.reduce((s, p) => s + p.errors, 0)} errors`}
    >
      <ResponsiveContainer width="100%" height={48}>
        <LineChart data={series} margin={{ top: 4, right: 2, bottom: 2, left: 2 }}>
          <YAxis hide domain={[0, 'auto']} />
          <Tooltip labelFormatter={(_, payload) => fmtTime(payload?.[0]?.payload?.at as string | undefined)} />
          <Line type="monotone" dataKey="calls" stroke="#2563eb" dot={false} isAnimationActive={false} strokeWidth={1.5} />
          <Line type="monotone" dataKey="errors" stroke="#dc2626" dot={false} isAnimationActive={false} strokeWidth={1.5} />
        </LineChart>
      </ResponsiveContainer>
      <figcaption className="muted">last hour: calls (blue), errors (red)</figcaption>
    </figure>
  );
}

function ConnectorCard({ c }: { c: ConnectorStatus }) {
  return (
    <article
      className={`card connector circuit-border-${c.circuit.toLowerCase()}`}
      data-testid={`connector-${c.name}`}
      aria-labelledby={`connector-title-${c.name}`}
    >
      <h3 id={`connector-title-${c.name}`}>
        <Link to={`/connectors/${encodeURIComponent(c.name)}`}>{c.name}</Link> <span className="muted">{c.mode}</span>
      </h3>
      <dl className="facts">
        <dt>Circuit</dt>
        <dd>
          <Circuit name={c.name} circuit={c.circuit} />
        </dd>
        <dt>State</dt>
        <dd>
          <Badge value={c.state} testId={`state-${c.name}`} />
        </dd>
        <dt>Error rate</dt>
        <dd data-testid={`error-rate-${c.name}`}>
          {fmtPct(c.errorRate)} <span className="muted">of {fmtNum(c.calls)}</span>
        </dd>
        <dt>p50 / p95</dt>
        <dd>
          {fmtMs(c.latencyP50Ms)} / {fmtMs(c.latencyP95Ms)}
        </dd>
        <dt>Quota left</dt>
        <dd>{c.quota ? `${fmtNum(c.quota.remaining)} of ${fmtNum(c.quota.limit)}` : '—'}</dd>
      </dl>
      {c.series && <Sparkline series={c.series} />}
    </article>
  );
}

const SPEND_COLUMNS: Column<AiBudget>[] = [
  { header: 'Budget', cell: (b) => b.name },
  {
    header: 'Spent',
    cell: (b) => (
      <>
        {fmtUsd(b.spentUsd)} <span className="muted">{fmtNum(b.spentTokens)} tok</span>
      </>
    ),
  },
  {
    header: 'Limit',
    cell: (b) => (
      <>
        {b.limitUsd != null ? fmtUsd(b.limitUsd) : ''} {b.limitTokens != null ? `${fmtNum(b.limitTokens)} tok` : ''}
        {b.limitUsd != null && b.limitUsd > 0 && <meter min={0} max={b.limitUsd} value={b.spentUsd} aria-label={`${b.name} spent of limit`} />}
      </>
    ),
  },
];

// errorPolicy all: what answered still shows when one field fails (a connector's figures, say).
export function Overview() {
  const { data, error, loading } = useQuery<OverviewData>(OVERVIEW, { pollInterval: 2000, errorPolicy: 'all' });
  if (loading && !data) return <Loading what="the overview" />;
  const runs = data?.workflowRuns;
  return (
    <>
      <h1>Overview</h1>
      {error && <ErrorNotice error={error} />}
      <section aria-labelledby="alerts-title">
        <h2 id="alerts-title">Open alerts</h2>
        {data?.alerts?.length ? (
          <ul className="alerts" data-testid="alerts">
            {data.alerts.map((a) => (
              <li key={`${a.condition}:${a.connector}:${a.operation ?? ''}`} className="alert" data-testid={`alert-${a.condition}-${a.connector}`}>
                <strong>⚠ {a.condition}</strong> {a.connector}
                {a.operation ? `.${a.operation}` : ''}: {a.message} <span className="muted">since {fmtTime(a.since)}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p data-testid="alerts-none">No alert is firing.</p>
        )}
      </section>
      <section aria-labelledby="connectors-title">
        <h2 id="connectors-title">Connectors</h2>
        <div className="grid" data-testid="connectors">
          {data?.connectors?.map((c) => (
            <ConnectorCard key={c.name} c={c} />
          ))}
        </div>
      </section>
      <div className="grid">
        <section className="card" aria-labelledby="backlog-title" data-testid="backlog">
          <h2 id="backlog-title">Webhook inbox</h2>
          <dl className="facts">
            {data?.webhookBacklog?.map((b) => (
              <div key={b.status} className="fact">
                <dt>
                  <Link to={`/events?status=${b.status}`}>{b.status}</Link>
                </dt>
                <dd data-testid={`backlog-${b.status}`}>{fmtNum(b.count)}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section className="card" aria-labelledby="attention-title" data-testid="attention">
          <h2 id="attention-title">
            Workflow runs needing attention: <span data-testid="attention-count">{runs?.totalCount ?? '—'}</span>
          </h2>
          {runs?.edges.length ? (
            <ul>
              {runs.edges.map(({ node }) => (
                <li key={node.id}>
                  <Link to={`/workflows/${encodeURIComponent(node.id)}`}>{node.workflow}</Link> {node.subject} <code>{node.errorCode}</code>{' '}
                  <span className="muted">{fmtTime(node.updatedAt)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p>None.</p>
          )}
        </section>
        <section className="card" aria-labelledby="spend-title" data-testid="ai-spend">
          <h2 id="spend-title">AI spend today</h2>
          <DataTable columns={SPEND_COLUMNS} rows={data?.aiBudgets} rowKey={(b) => b.name} />
        </section>
      </div>
    </>
  );
}
