import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Link, useParams } from 'react-router-dom';
import { CONNECTOR_HEALTH } from '../fragments.ts';
import { DataTable, type Column } from '../table.tsx';
import type { ConnectorStatus } from '../types.ts';
import { Badge, ErrorNotice, fmtMs, fmtNum, fmtPct, fmtTime, Loading } from '../ui.tsx';
import { Circuit } from './Overview.tsx';

const CONNECTORS = gql`
  query ConsoleConnectors {
    connectors {
      ...ConsoleConnectorHealth
      lastCallAt
      policy {
        timeoutMs
        maxAttempts
        backoffMs
        retryBudgetMs
        breakerConsecutiveFailures
        breakerHalfOpenAfterMs
        quotaLimit
        quotaWindowMs
        cacheTtlSeconds
      }
      recentErrors {
        kind
        code
        message
        at
      }
    }
  }
  ${CONNECTOR_HEALTH}
`;

const POLICY_COLUMNS: [keyof NonNullable<ConnectorStatus['policy']>, string][] = [
  ['timeoutMs', 'Timeout (ms)'],
  ['maxAttempts', 'Max attempts'],
  ['backoffMs', 'Backoff (ms)'],
  ['retryBudgetMs', 'Retry budget (ms)'],
  ['breakerConsecutiveFailures', 'Breaker failures'],
  ['breakerHalfOpenAfterMs', 'Half-open after (ms)'],
  ['quotaLimit', 'Quota'],
  ['quotaWindowMs', 'Quota window (ms)'],
  ['cacheTtlSeconds', 'Cache TTL (s)'],
];

const POLICY_TABLE: Column<ConnectorStatus>[] = [
  { header: 'Connector', cell: (c) => <Link to={`/connectors/${encodeURIComponent(c.name)}`}>{c.name}</Link>, rowHeader: true },
  { header: 'Circuit', cell: (c) => <Circuit name={c.name} circuit={c.circuit} /> },
  ...POLICY_COLUMNS.map(([key, label]): Column<ConnectorStatus> => ({ key, header: label, cell: (c) => (c.policy ? fmtNum(c.policy[key]) : '—') })),
];

interface RecentError {
  connector: string;
  kind: string;
  code: string;
  message: string;
  at: string;
}

const ERROR_COLUMNS: Column<RecentError>[] = [
  { header: 'At', cell: (e) => fmtTime(e.at) },
  { header: 'Connector', cell: (e) => e.connector },
  { header: 'Code', cell: (e) => <code>{e.code}</code> },
  { header: 'Kind', cell: (e) => e.kind },
  { header: 'Message', cell: (e) => e.message },
];

function useConnectors() {
  return useQuery<{ connectors: ConnectorStatus[] }>(CONNECTORS, { pollInterval: 5000 });
}

export function Connectors() {
  const { data, error, loading } = useConnectors();
  if (loading && !data) return <Loading what="the connectors" />;
  return (
    <>
      <h1>Connectors</h1>
      {error && <ErrorNotice error={error} />}
      <h2>Policies</h2>
      <DataTable
        scroll
        testId="policy-table"
        columns={POLICY_TABLE}
        rows={data?.connectors}
        rowKey={(c) => c.name}
        row={(c) => ({ 'data-testid': `policy-${c.name}` })}
      />
      <h2>Recent errors</h2>
      <ErrorsTable rows={(data?.connectors ?? []).flatMap((c) => (c.recentErrors ?? []).map((e) => ({ ...e, connector: c.name })))} />
    </>
  );
}

function ErrorsTable({ rows }: { rows: RecentError[] }) {
  return (
    <DataTable
      scroll
      testId="recent-errors"
      empty={<p data-testid="recent-errors-none">No recent errors.</p>}
      columns={ERROR_COLUMNS}
      rows={[...rows].sort((a, b) => b.at.localeCompare(a.at))}
      rowKey={(e, i) => `${e.connector}-${e.at}-${i}`}
    />
  );
}

export function ConnectorDetail() {
  const { name = '' } = useParams();
  const { data, error, loading } = useConnectors();
  if (loading && !data) return <Loading what={name} />;
  const c = data?.connectors.find((x) => x.name === name);
  return (
    <>
      <p>
        <Link to="/connectors">← Connectors</Link>
      </p>
      <h1>{name}</h1>
      {error && <ErrorNotice error={error} />}
      {!c ? (
        <p role="alert">No connector is named {name}.</p>
      ) : (
        <>
          <dl className="facts" data-testid={`connector-detail-${c.name}`}>
            <dt>Mode</dt>
            <dd>{c.mode}</dd>
            <dt>Circuit</dt>
            <dd>
              <Circuit name={c.name} circuit={c.circuit} />
            </dd>
            <dt>State</dt>
            <dd>
              <Badge value={c.state} />
            </dd>
            <dt>Calls ({c.windowSeconds} s)</dt>
            <dd>{fmtNum(c.calls)}</dd>
            <dt>Error rate</dt>
            <dd>{fmtPct(c.errorRate)}</dd>
            <dt>p50 / p95</dt>
            <dd>
              {fmtMs(c.latencyP50Ms)} / {fmtMs(c.latencyP95Ms)}
            </dd>
            <dt>Quota left</dt>
            <dd>{c.quota ? `${fmtNum(c.quota.remaining)} of ${fmtNum(c.quota.limit)}` : '—'}</dd>
            <dt>Last call</dt>
            <dd>{fmtTime(c.lastCallAt)}</dd>
          </dl>
          <h2>Policy</h2>
          {c.policy ? (
            <table data-testid="policy-table">
              <tbody>
                {POLICY_COLUMNS.map(([key, label]) => (
                  <tr key={key}>
                    <th scope="row">{label}</th>
                    <td>{fmtNum(c.policy?.[key])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No policy is reported for this connector.</p>
          )}
          <h2>Recent errors</h2>
          <ErrorsTable rows={(c.recentErrors ?? []).map((e) => ({ ...e, connector: c.name }))} />
        </>
      )}
    </>
  );
}
