// Workflow runs: the list by status, and one run's steps as a timeline with Retry and Compensate
// for a run that needs attention.
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import type { Connection } from '../types.ts';
import { Badge, ConfirmButton, ErrorNotice, fmtTime, Loading, Pager, usePages } from '../ui.tsx';

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

const RUNS = gql`
  query ConsoleRuns($filter: WorkflowRunFilter, $after: String) {
    workflowRuns(filter: $filter, first: 50, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
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
      }
    }
  }
`;

const RUN = gql`
  query ConsoleRun($id: ID!) {
    workflowRun(id: $id) {
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
`;

const RETRY = gql`
  mutation ConsoleRetryRun($id: ID!) {
    retryWorkflowRun(id: $id) {
      id
      status
      attempts
      updatedAt
    }
  }
`;

const COMPENSATE = gql`
  mutation ConsoleCompensateRun($id: ID!) {
    compensateWorkflowRun(id: $id) {
      id
      status
      attempts
      updatedAt
    }
  }
`;

const STATUSES = ['RUNNING', 'PENDING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'NEEDS_ATTENTION'];

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
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter runs">
        <label>
          Status
          <select
            data-testid="filter-run-status"
            value={status}
            onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {}, { replace: true })}
          >
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </form>
      {error && <ErrorNotice error={error} />}
      {loading && !data ? (
        <Loading what="the runs" />
      ) : (
        <div className="scroll">
          <p className="muted" data-testid="runs-count">
            {data?.workflowRuns.totalCount ?? 0} runs
          </p>
          <table data-testid="runs-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Workflow</th>
                <th scope="col">Subject</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Error</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {data?.workflowRuns.edges.map(({ node: r }) => (
                <tr key={r.id} data-testid={`run-${r.id}`}>
                  <td>
                    <Link to={`/workflows/${encodeURIComponent(r.id)}`}>{r.id}</Link>
                  </td>
                  <td>{r.workflow}</td>
                  <td>{r.subject}</td>
                  <td>
                    <Badge value={r.status} />
                  </td>
                  <td>{r.attempts}</td>
                  <td>
                    <code>{r.errorCode}</code>
                  </td>
                  <td>{fmtTime(r.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager pages={pages} pageInfo={data?.workflowRuns.pageInfo} />
        </div>
      )}
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
      {error && <ErrorNotice error={error} />}
      {loading && !data ? (
        <Loading what="the run" />
      ) : !run ? (
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
    </>
  );
}
