import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Link, useParams } from 'react-router-dom';
import type { ConnectorStatus } from '../types.ts';
import { Badge, ErrorNotice, fmtMs, fmtNum, fmtPct, fmtTime, Loading } from '../ui.tsx';
import { Circuit } from './Overview.tsx';

const CONNECTORS = gql`
  query ConsoleConnectors {
    connectors {
      name
      mode
      state
      circuit
      calls
      errorRate
      latencyP50Ms
      latencyP95Ms
      windowSeconds
      lastCallAt
      quota {
        remaining
        limit
      }
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
      <div className="scroll">
        <table data-testid="policy-table">
          <thead>
            <tr>
              <th scope="col">Connector</th>
              <th scope="col">Circuit</th>
              {POLICY_COLUMNS.map(([key, label]) => (
                <th scope="col" key={key}>
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data?.connectors.map((c) => (
              <tr key={c.name} data-testid={`policy-${c.name}`}>
                <th scope="row">
                  <Link to={`/connectors/${encodeURIComponent(c.name)}`}>{c.name}</Link>
                </th>
                <td>
                  <Circuit name={c.name} circuit={c.circuit} />
                </td>
                {POLICY_COLUMNS.map(([key]) => (
                  <td key={key}>{c.policy ? fmtNum(c.policy[key]) : '—'}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Recent errors</h2>
      <ErrorsTable rows={(data?.connectors ?? []).flatMap((c) => (c.recentErrors ?? []).map((e) => ({ ...e, connector: c.name })))} />
    </>
  );
}

function ErrorsTable({ rows }: { rows: { connector: string; kind: string; code: string; message: string; at: string }[] }) {
  if (rows.length === 0) return <p data-testid="recent-errors-none">No recent errors.</p>;
  const sorted = [...rows].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <div className="scroll">
      <table data-testid="recent-errors">
        <thead>
          <tr>
            <th scope="col">At</th>
            <th scope="col">Connector</th>
            <th scope="col">Code</th>
            <th scope="col">Kind</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((e, i) => (
            <tr key={`${e.connector}-${e.at}-${i}`}>
              <td>{fmtTime(e.at)}</td>
              <td>{e.connector}</td>
              <td>
                <code>{e.code}</code>
              </td>
              <td>{e.kind}</td>
              <td>{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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
