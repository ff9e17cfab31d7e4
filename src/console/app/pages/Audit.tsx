// The audit trail (admins): filtered records, one in full, and whether the hash chain verifies.
import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { errorCode } from '../api.ts';
import { PAGE_INFO } from '../fragments.ts';
import { DataTable, type Column } from '../table.tsx';
import type { Connection } from '../types.ts';
import { Badge, Filters, ForbiddenPage, fmtTime, Pager, QueryState, useFilterParams, usePages, type FilterField } from '../ui.tsx';

const FORBIDDEN = 'Only admins can see the audit trail.';

const EVENTS = gql`
  query ConsoleAudit($filter: AuditEventFilter, $after: String) {
    auditEvents(filter: $filter, first: 50, after: $after) {
      totalCount
      pageInfo {
        ...ConsolePageInfo
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
  ${PAGE_INFO}
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

const FILTERS: FilterField[] = (
  [
    ['principalId', 'Principal'],
    ['operationName', 'Operation'],
    ['connector', 'Connector'],
    ['outcome', 'Outcome', ['OK', 'PARTIAL', 'ERROR', 'DENIED', 'INVALID', 'LIMITED', 'FIRING', 'RESOLVED']],
    ['kind', 'Kind', ['OPERATION', 'REQUEST', 'ALERT', 'WEBHOOK']],
  ] as const
).map(([key, label, options]) => ({ key, label, options, testId: `audit-filter-${key}` }));

function ChainStatus() {
  const { data, error, loading, refetch } = useQuery<{ auditChain: Chain }>(CHAIN, { fetchPolicy: 'network-only' });
  if (errorCode(error) === 'FORBIDDEN') return null;
  const chain = data?.auditChain;
  return (
    <section className="card" aria-labelledby="chain-title" data-testid="audit-chain">
      <h2 id="chain-title">Hash chain</h2>
      <QueryState error={error} loading={loading} data={chain} what="the chain verification">
        {chain ? (
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
      </QueryState>
      <button type="button" onClick={() => void refetch().catch(() => undefined)} data-testid="audit-chain-verify">
        Verify again
      </button>
    </section>
  );
}

export function Audit() {
  const filters = useFilterParams();
  const filter = Object.fromEntries(FILTERS.map(({ key }) => [key, filters.get(key)]));
  const pages = usePages(filters.params.toString());
  const { data, error, loading } = useQuery<{ auditEvents: Connection<AuditEvent> }>(EVENTS, { variables: { filter, after: pages.after } });
  const [selected, setSelected] = useState<AuditEvent | null>(null);
  if (errorCode(error) === 'FORBIDDEN') return <ForbiddenPage title="Audit trail" error={error} forbidden={FORBIDDEN} />;
  const columns: Column<AuditEvent>[] = [
    {
      header: 'Seq',
      cell: (a) => (
        <button type="button" className="link" onClick={() => setSelected(a)} data-testid={`audit-open-${a.seq}`}>
          {a.seq}
        </button>
      ),
    },
    { header: 'At', cell: (a) => fmtTime(a.at) },
    { header: 'Kind', cell: (a) => a.kind },
    {
      header: 'Principal',
      cell: (a) => (
        <>
          {a.principalId} <span className="muted">{a.principalRole}</span>
        </>
      ),
    },
    { header: 'Operation', cell: (a) => a.operationName },
    { header: 'Outcome', cell: (a) => <Badge value={a.outcome} /> },
    { header: 'Errors', cell: (a) => a.errorCodes.join(', ') },
  ];
  return (
    <>
      <h1>Audit trail</h1>
      <ChainStatus />
      <Filters label="Filter audit records" fields={FILTERS} value={filters.get} onChange={filters.set} />
      <QueryState error={error} loading={loading} data={data} what="the audit trail" forbidden={FORBIDDEN}>
        <div className="scroll">
          <p className="muted">{data?.auditEvents.totalCount ?? 0} records</p>
          <DataTable
            testId="audit-table"
            columns={columns}
            rows={data?.auditEvents.edges.map((edge) => edge.node)}
            rowKey={(a) => a.id}
            row={(a) => ({ 'data-testid': `audit-${a.seq}`, 'aria-selected': selected?.id === a.id })}
          />
          <Pager pages={pages} pageInfo={data?.auditEvents.pageInfo} />
        </div>
      </QueryState>
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
