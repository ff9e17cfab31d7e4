// Workflow runs: the list by status, and one run's steps as a timeline with Retry and Compensate
// for a run that needs attention.
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { PAGE_INFO } from '../fragments.ts';
import { DataTable, type Column } from '../table.tsx';
import type { Connection } from '../types.ts';
import { Badge, ConfirmButton, ErrorNotice, Filters, fmtTime, Pager, QueryState, usePages, type FilterField } from '../ui.tsx';

interface Step {
  name: string;
  kind: string;
  status: string;
  attempts: number;
  errorCode: string | null;
  errorMessage: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  resultSummary: string | null;
}

interface Run {
  id: string;
  workflow: string;
  status: string;
  subject: string | null;
  attempts: number;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  steps?: Step[];
}

const RUN_FIELDS = gql`
  fragment ConsoleRunFields on WorkflowRun {
    id
    workflow
    status
    subject
    attempts
    errorCode
    errorMessage
    createdAt
    updatedAt
    finishedAt
  }
`;

/** What a mutation of a run answers with. */
const RUN_STATE = gql`
  fragment ConsoleRunState on WorkflowRun {
    id
    status
    attempts
    updatedAt
  }
`;

const RUNS = gql`
  query ConsoleRuns($filter: WorkflowRunFilter, $after: String) {
    workflowRuns(filter: $filter, first: 50, after: $after) {
      totalCount
      pageInfo {
        ...ConsolePageInfo
      }
      edges {
        cursor
        node {
          ...ConsoleRunFields
        }
      }
    }
  }
  ${RUN_FIELDS}
  ${PAGE_INFO}
`;

const RUN = gql`
  query ConsoleRun($id: ID!) {
    workflowRun(id: $id) {
      ...ConsoleRunFields
      steps {
        name
        kind
        status
        attempts
        errorCode
        errorMessage
        startedAt
        finishedAt
        resultSummary
      }
    }
  }
  ${RUN_FIELDS}
`;

const RETRY = gql`
  mutation ConsoleRetryRun($id: ID!) {
    retryWorkflowRun(id: $id) {
      ...ConsoleRunState
    }
  }
  ${RUN_STATE}
`;

const COMPENSATE = gql`
  mutation ConsoleCompensateRun($id: ID!) {
    compensateWorkflowRun(id: $id) {
      ...ConsoleRunState
    }
  }
  ${RUN_STATE}
`;

const FILTERS: FilterField[] = [
  {
    key: 'status',
    label: 'Status',
    options: ['RUNNING', 'PENDING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'NEEDS_ATTENTION'],
    testId: 'filter-run-status',
  },
];

const COLUMNS: Column<Run>[] = [
  { header: 'Run', cell: (r) => <Link to={`/workflows/${encodeURIComponent(r.id)}`}>{r.id}</Link> },
  { header: 'Workflow', cell: (r) => r.workflow },
  { header: 'Subject', cell: (r) => r.subject },
  { header: 'Status', cell: (r) => <Badge value={r.status} /> },
  { header: 'Attempts', cell: (r) => r.attempts },
  { header: 'Error', cell: (r) => <code>{r.errorCode}</code> },
  { header: 'Updated', cell: (r) => fmtTime(r.updatedAt) },
];

export function Workflows() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const pages = usePages(status);
  const { data, error, loading } = useQuery<{ workflowRuns: Connection<Run> }>(RUNS, {
    variables: { filter: status ? { status } : {}, after: pages.after },
    pollInterval: 5000,
  });
  return (
    <>
      <h1>Workflow runs</h1>
      {/* The status is the page's only parameter. */}
      <Filters
        label="Filter runs"
        fields={FILTERS}
        value={() => status}
        onChange={(_, value) => setParams(value ? { status: value } : {}, { replace: true })}
      />
      <QueryState error={error} loading={loading} data={data} what="the runs">
        <div className="scroll">
          <p className="muted" data-testid="runs-count">
            {data?.workflowRuns.totalCount ?? 0} runs
          </p>
          <DataTable
            testId="runs-table"
            columns={COLUMNS}
            rows={data?.workflowRuns.edges.map((edge) => edge.node)}
            rowKey={(r) => r.id}
            row={(r) => ({ 'data-testid': `run-${r.id}` })}
          />
          <Pager pages={pages} pageInfo={data?.workflowRuns.pageInfo} />
        </div>
      </QueryState>
    </>
  );
}

export function WorkflowDetail() {
  const { id = '' } = useParams();
  const { data, error, loading, refetch } = useQuery<{ workflowRun: Run | null }>(RUN, { variables: { id }, pollInterval: 3000 });
  const [retry, retried] = useMutation(RETRY, { variables: { id } });
  const [compensate, compensated] = useMutation(COMPENSATE, { variables: { id } });
  const run = data?.workflowRun;
  const busy = retried.loading || compensated.loading;
  return (
    <>
      <p>
        <Link to="/workflows">← Workflow runs</Link>
      </p>
      <h1>
        Run <code>{id}</code>
      </h1>
      <QueryState error={error} loading={loading} data={data} what="the run">
        {!run ? (
          <p role="alert">No such run.</p>
        ) : (
          <>
            <dl className="facts" data-testid="run-detail">
              <dt>Workflow</dt>
              <dd>{run.workflow}</dd>
              <dt>Status</dt>
              <dd>
                <Badge value={run.status} testId="run-status" />
              </dd>
              <dt>Subject</dt>
              <dd>{run.subject ?? '—'}</dd>
              <dt>Attempts</dt>
              <dd>{run.attempts}</dd>
              <dt>Error</dt>
              <dd>
                {run.errorCode ? <code>{run.errorCode}</code> : '—'} {run.errorMessage}
              </dd>
              <dt>Created</dt>
              <dd>{fmtTime(run.createdAt)}</dd>
              <dt>Finished</dt>
              <dd>{fmtTime(run.finishedAt)}</dd>
            </dl>
            {run.status === 'NEEDS_ATTENTION' && (
              <div className="actions" data-testid="run-actions">
                <button
                  type="button"
                  className="primary"
                  disabled={busy}
                  data-testid="run-retry"
                  onClick={() =>
                    void retry().then(
                      () => refetch(),
                      () => undefined,
                    )
                  }
                >
                  Retry
                </button>
                <ConfirmButton
                  label="Compensate"
                  title="Give up and compensate this run?"
                  danger
                  disabled={busy}
                  testId="run-compensate"
                  onConfirm={() =>
                    void compensate().then(
                      () => refetch(),
                      () => undefined,
                    )
                  }
                >
                  <p>The run&apos;s completed steps are undone through their compensations. This cannot be retried afterwards.</p>
                </ConfirmButton>
              </div>
            )}
            {retried.error && <ErrorNotice error={retried.error} forbidden="your role cannot retry runs." />}
            {compensated.error && <ErrorNotice error={compensated.error} forbidden="your role cannot compensate runs." />}
            <h2>Steps</h2>
            <ol className="timeline" data-testid="run-steps">
              {run.steps?.map((s, i) => (
                <li key={`${s.kind}-${s.name}-${i}`} className={`step step-${s.status.toLowerCase()}`} data-testid={`step-${s.name}`}>
                  <div className="step-head">
                    <strong>{s.name}</strong> {s.kind === 'COMPENSATION' && <span className="badge">COMPENSATION</span>} <Badge value={s.status} />{' '}
                    <span className="muted">
                      {s.attempts} attempt{s.attempts === 1 ? '' : 's'}
                    </span>
                  </div>
                  <div className="muted">
                    {fmtTime(s.startedAt)} → {fmtTime(s.finishedAt)}
                  </div>
                  {s.resultSummary && <div>{s.resultSummary}</div>}
                  {s.errorCode && (
                    <div>
                      <code>{s.errorCode}</code> {s.errorMessage}
                    </div>
                  )}
                </li>
              ))}
            </ol>
          </>
        )}
      </QueryState>
    </>
  );
}
