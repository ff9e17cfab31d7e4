// The audit trail (admins): filtered records, one in full, and whether the hash chain verifies.
import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { errorCode } from '../api.ts';
import type { Connection } from '../types.ts';
import { Badge, ErrorNotice, fmtTime, Loading, Pager, usePages } from '../ui.tsx';

const FORBIDDEN = 'Only admins can see the audit trail.';

const EVENTS = gql`
  query ConsoleAudit($filter: AuditEventFilter, $after: String) {
    auditEvents(filter: $filter, first: 50, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          seq
          kind
          at
          requestId
          principalId
          principalRole
          principalVia
          apiKeyId
          clientName
          clientVersion
          operationType
          operationName
          operationHash
          outcome
          variables
          calls {
            connector
            operation
            attempts
            outcome
            latencyMs
            cacheHit
            stale
          }
          ai {
            provider
            model
            promptTokens
            completionTokens
            totalTokens
            costUsd
          }
          errorCodes
          durationMs
          httpStatus
          alert {
            condition
            connector
            operation
            message
          }
          webhook {
            provider
            eventId
            type
            status
            attempts
            reason
          }
          hash
          prevHash
        }
      }
    }
  }
`;

const CHAIN = gql`
  query ConsoleAuditChain {
    auditChain {
      ok
      verified
      headSeq
      macsChecked
      anchorsChecked
      brokenSeq
      brokenReason
      checkedAt
    }
  }
`;

interface AuditEvent {
  id: string;
  seq: string;
  kind: string;
  at: string;
  principalId: string | null;
  principalRole: string | null;
  operationName: string | null;
  outcome: string;
  errorCodes: string[];
  durationMs: number | null;
  [field: string]: unknown;
}

interface Chain {
  ok: boolean;
  verified: number;
  headSeq: number | null;
  macsChecked: number | null;
  anchorsChecked: number;
  brokenSeq: number | null;
  brokenReason: string | null;
  checkedAt: string;
}

const FILTERS: [string, string, string[]?][] = [
  ['principalId', 'Principal'],
  ['operationName', 'Operation'],
  ['connector', 'Connector'],
  ['outcome', 'Outcome', ['OK', 'PARTIAL', 'ERROR', 'DENIED', 'INVALID', 'LIMITED', 'FIRING', 'RESOLVED']],
  ['kind', 'Kind', ['OPERATION', 'REQUEST', 'ALERT', 'WEBHOOK']],
];

function ChainStatus() {
  const { data, error, loading, refetch } = useQuery<{ auditChain: Chain }>(CHAIN, { fetchPolicy: 'network-only' });
  if (errorCode(error) === 'FORBIDDEN') return null;
  const chain = data?.auditChain;
  return (
    <section className="card" aria-labelledby="chain-title" data-testid="audit-chain">
      <h2 id="chain-title">Hash chain</h2>
      {error && <ErrorNotice error={error} />}
      {loading && !chain ? (
        <Loading what="the chain verification" />
      ) : chain ? (
        <p className={chain.ok ? 'ok' : 'bad'} data-testid="audit-chain-state" data-ok={String(chain.ok)}>
          {chain.ok ? (
            <>
              <span aria-hidden="true">✓ </span>
              <strong>OK</strong>: {chain.verified} records verified up to seq {chain.headSeq ?? '—'}
            </>
          ) : (
            <>
              <span aria-hidden="true">✕ </span>
              <strong>BROKEN at seq {chain.brokenSeq ?? '?'}</strong>: {chain.brokenReason}
            </>
          )}{' '}
          <span className="muted">
            ({chain.macsChecked ?? 0} MACs, {chain.anchorsChecked} anchors checked, {fmtTime(chain.checkedAt)})
          </span>
        </p>
      ) : null}
      <button type="button" onClick={() => void refetch().catch(() => undefined)} data-testid="audit-chain-verify">
        Verify again
      </button>
    </section>
  );
}

export function Audit() {
  const [params, setParams] = useSearchParams();
  const filter = Object.fromEntries(FILTERS.map(([key]) => [key, params.get(key) || undefined]));
  const pages = usePages(params.toString());
  const { data, error, loading } = useQuery<{ auditEvents: Connection<AuditEvent> }>(EVENTS, { variables: { filter, after: pages.after } });
  const [selected, setSelected] = useState<AuditEvent | null>(null);
  if (errorCode(error) === 'FORBIDDEN') {
    return (
      <>
        <h1>Audit trail</h1>
        <ErrorNotice error={error} forbidden={FORBIDDEN} />
      </>
    );
  }
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <>
      <h1>Audit trail</h1>
      <ChainStatus />
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter audit records">
        {FILTERS.map(([key, label, options]) => (
          <label key={key}>
            {label}
            {options ? (
              <select value={params.get(key) ?? ''} onChange={(e) => set(key, e.target.value)} data-testid={`audit-filter-${key}`}>
                <option value="">any</option>
                {options.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            ) : (
              <input defaultValue={params.get(key) ?? ''} onChange={(e) => set(key, e.target.value.trim())} data-testid={`audit-filter-${key}`} />
            )}
          </label>
        ))}
      </form>
      {error && <ErrorNotice error={error} forbidden={FORBIDDEN} />}
      {loading && !data ? (
        <Loading what="the audit trail" />
      ) : (
        <div className="scroll">
          <p className="muted">{data?.auditEvents.totalCount ?? 0} records</p>
          <table data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">Seq</th>
                <th scope="col">At</th>
                <th scope="col">Kind</th>
                <th scope="col">Principal</th>
                <th scope="col">Operation</th>
                <th scope="col">Outcome</th>
                <th scope="col">Errors</th>
              </tr>
            </thead>
            <tbody>
              {data?.auditEvents.edges.map(({ node: a }) => (
                <tr key={a.id} data-testid={`audit-${a.seq}`} aria-selected={selected?.id === a.id}>
                  <td>
                    <button type="button" className="link" onClick={() => setSelected(a)} data-testid={`audit-open-${a.seq}`}>
                      {a.seq}
                    </button>
                  </td>
                  <td>{fmtTime(a.at)}</td>
                  <td>{a.kind}</td>
                  <td>
                    {a.principalId} <span className="muted">{a.principalRole}</span>
                  </td>
                  <td>{a.operationName}</td>
                  <td>
                    <Badge value={a.outcome} />
                  </td>
                  <td>{a.errorCodes.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager pages={pages} pageInfo={data?.auditEvents.pageInfo} />
        </div>
      )}
      {selected && (
        <section className="card detail" aria-labelledby="audit-record-title" data-testid="audit-record">
          <h2 id="audit-record-title">Record {selected.seq}</h2>
          <button type="button" className="close" onClick={() => setSelected(null)}>
            Close
          </button>
          <pre>{JSON.stringify(selected, (k, v: unknown) => (k === '__typename' ? undefined : v), 2)}</pre>
        </section>
      )}
    </>
  );
}
