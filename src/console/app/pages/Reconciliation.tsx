// The last reconciliation: its drift by kind and one by one; Run, or Run and fix (confirmed).
// Polled while the run is queued or running.
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useEffect } from 'react';
import { DataTable } from '../table.tsx';
import { Badge, ConfirmButton, ErrorNotice, fmtTime, QueryState } from '../ui.tsx';

interface SyncRun {
  id: string;
  status: string;
  fix: boolean;
  requestedBy: string;
  progress: { phase: string | null; done: number; total: number | null };
  driftCounts: { kind: string; count: number; unrepaired: number }[];
  drift: {
    seq: number;
    kind: string;
    system: string;
    customerId: string | null;
    upstreamId: string | null;
    detail: string;
    repair: string | null;
    repairStatus: string | null;
    repairError: string | null;
  }[];
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

const FIELDS = gql`
  fragment ConsoleSyncRun on SyncRun {
    id
    status
    fix
    requestedBy
    progress {
      phase
      done
      total
    }
    driftCounts {
      kind
      count
      unrepaired
    }
    drift(first: 200) {
      seq
      kind
      system
      customerId
      upstreamId
      detail
      repair
      repairStatus
      repairError
    }
    error
    createdAt
    finishedAt
  }
`;

const LAST = gql`
  query ConsoleReconciliation {
    reconciliation {
      ...ConsoleSyncRun
    }
  }
  ${FIELDS}
`;

const RUN = gql`
  mutation ConsoleRunReconciliation($fix: Boolean!) {
    runReconciliation(fix: $fix) {
      ...ConsoleSyncRun
    }
  }
  ${FIELDS}
`;

export function Reconciliation() {
  const { data, error, loading, refetch, startPolling, stopPolling } = useQuery<{ reconciliation: SyncRun | null }>(LAST);
  const [run, started] = useMutation<{ runReconciliation: SyncRun }>(RUN);
  const last = data?.reconciliation;
  const active = last?.status === 'RUNNING' || last?.status === 'QUEUED';
  // Polls while the run is under way.
  useEffect(() => {
    if (!active) return;
    startPolling(1500);
    return () => stopPolling();
  }, [active, startPolling, stopPolling]);
  const go = (fix: boolean) =>
    void run({ variables: { fix } }).then(
      () => refetch(),
      () => undefined,
    );
  return (
    <>
      <h1>Reconciliation</h1>
      <div className="actions">
        <button type="button" className="primary" disabled={started.loading || active} onClick={() => go(false)} data-testid="reconcile-run">
          Run
        </button>
        <ConfirmButton
          label="Run and fix"
          title="Run and repair what it finds?"
          danger
          disabled={started.loading || active}
          testId="reconcile-fix"
          onConfirm={() => go(true)}
        >
          <p>The reconciliation repairs the drift it finds through workflows: customers may be created or relinked in the payments provider and the CRM.</p>
        </ConfirmButton>
      </div>
      {started.error && <ErrorNotice error={started.error} forbidden="your role cannot start a reconciliation." />}
      <QueryState error={error} loading={loading} data={data} what="the last reconciliation">
        {!last ? (
          !error && <p data-testid="reconcile-none">No reconciliation has run yet.</p>
        ) : (
          <>
            <dl className="facts" data-testid="reconcile-last">
              <dt>Status</dt>
              <dd>
                <Badge value={last.status} testId="reconcile-status" />
                {active && (
                  <span role="status">
                    {' '}
                    {last.progress.phase ?? 'working'}: {last.progress.done}
                    {last.progress.total != null ? ` of ${last.progress.total}` : ''}
                  </span>
                )}
              </dd>
              <dt>With fix</dt>
              <dd>{last.fix ? 'yes' : 'no'}</dd>
              <dt>Requested by</dt>
              <dd>{last.requestedBy}</dd>
              <dt>Started</dt>
              <dd>{fmtTime(last.createdAt)}</dd>
              <dt>Finished</dt>
              <dd>{fmtTime(last.finishedAt)}</dd>
              {last.error && (
                <>
                  <dt>Error</dt>
                  <dd>{last.error}</dd>
                </>
              )}
            </dl>
            <h2>Drift by kind</h2>
            <DataTable
              testId="drift-counts"
              empty={<p data-testid="drift-none">No drift.</p>}
              rows={last.driftCounts}
              rowKey={(d) => d.kind}
              row={(d) => ({ 'data-testid': `drift-count-${d.kind}` })}
              columns={[
                { header: 'Kind', cell: (d) => d.kind, rowHeader: true },
                { header: 'Found', cell: (d) => d.count },
                { header: 'Unrepaired', cell: (d) => d.unrepaired },
              ]}
            />
            {last.drift.length > 0 && (
              <>
                <h2>Drift</h2>
                <DataTable
                  scroll
                  testId="drift-list"
                  rows={last.drift}
                  rowKey={(d) => d.seq}
                  columns={[
                    { header: '#', cell: (d) => d.seq },
                    { header: 'Kind', cell: (d) => d.kind },
                    { header: 'System', cell: (d) => d.system },
                    { header: 'Customer', cell: (d) => d.customerId },
                    { header: 'Upstream', cell: (d) => d.upstreamId },
                    { header: 'Detail', cell: (d) => d.detail },
                    {
                      header: 'Repair',
                      cell: (d) => (
                        <>
                          {d.repair} {d.repairStatus && <Badge value={d.repairStatus} />} {d.repairError}
                        </>
                      ),
                    },
                  ]}
                />
              </>
            )}
          </>
        )}
      </QueryState>
    </>
  );
}
