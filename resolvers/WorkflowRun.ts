// The workflow journal in the graph (ops:read): Query.workflowRuns pages through the runs, newest
// first; a run's steps come from one statement for every run of the page (a DataLoader).
import DataLoader from 'dataloader';
import type {
  MutationCompensateWorkflowRunArgs,
  QueryWorkflowRunArgs,
  QueryWorkflowRunsArgs,
  WorkflowRunResolvers,
  WorkflowRunStatus,
  WorkflowStepKind,
  WorkflowStepResolvers,
  WorkflowStepStatus,
} from '../src/generated/graphql.ts';
import type { Context } from '../src/context.ts';
import type { RunRecord, RunStatus, StepRecord } from '../src/connectors/store/index.ts';
import { checkFirst, checkText } from '../src/validation.ts';
import { ErrorCode, badInput, codedError } from '../src/errors/index.ts';
import { WORKFLOWS } from '../src/workflows/index.ts';
import { lazyPageInfo } from '../src/connectors/store/index.ts';

const RUN_ID = /^wfr_[0-9a-f]{24}$/;

// Loaders keyed on the context object: one per request, as the request's own loaders are.
const stepLoaders = new WeakMap<Context, DataLoader<string, StepRecord[]>>();
function steps(ctx: Context): DataLoader<string, StepRecord[]> {
  let l = stepLoaders.get(ctx);
  if (!l) stepLoaders.set(ctx, (l = new DataLoader((ids: readonly string[]) => ctx.connectors.store.workflows.stepsOf(ids))));
  return l;
}

export async function workflowRuns(_parent: unknown, args: QueryWorkflowRunsArgs, ctx: Context) {
  const first = checkFirst('first', args.first, 20);
  const filter = {
    workflow: checkText('filter.workflow', args.filter?.workflow, 64),
    status: args.filter?.status ? (args.filter.status.toLowerCase() as RunStatus) : null,
    subject: checkText('filter.subject', args.filter?.subject, 200),
  };
  const { items, totalCount, hasNextPage } = await ctx.connectors.store.workflows.list(filter, first, args.after);
  return { edges: items, totalCount, pageInfo: lazyPageInfo(hasNextPage, items) };
}

export async function workflowRun(_parent: unknown, args: QueryWorkflowRunArgs, ctx: Context): Promise<RunRecord | null> {
  if (!RUN_ID.test(args.id)) throw badInput('id', 'id is not a valid workflow run id (expected wfr_…)');
  return ctx.connectors.store.workflows.get(args.id);
}

/** An operator gives up on a run that needs attention: its completed steps are undone, durably, on the queue. */
export async function compensateWorkflowRun(_parent: unknown, args: MutationCompensateWorkflowRunArgs, ctx: Context): Promise<RunRecord> {
  if (!RUN_ID.test(args.id)) throw badInput('id', 'id is not a valid workflow run id (expected wfr_…)');
  const { workflows } = ctx.services;
  if (!workflows) throw codedError(ErrorCode.UPSTREAM_UNAVAILABLE, 'This server runs no workflows', { reason: 'no_workflows' });
  const run = await ctx.connectors.store.workflows.get(args.id);
  if (!run) throw codedError(ErrorCode.NOT_FOUND, `No workflow run ${args.id}`, { field: 'id' });
  if (run.status !== 'needs_attention')
    throw codedError(ErrorCode.CONFLICT, `Workflow run ${args.id} is ${run.status}: only a run that needs attention can be compensated`, { field: 'id' });
  if (run.phase !== 'forward')
    throw codedError(ErrorCode.CONFLICT, `Workflow run ${args.id} is compensating already (a compensation failed): retry it with retryWorkflowRun`, {
      field: 'id',
    });
  if (!(await workflows.compensateNow(args.id))) throw codedError(ErrorCode.CONFLICT, `Workflow run ${args.id} is being executed right now`, { field: 'id' });
  return (await ctx.connectors.store.workflows.get(args.id)) ?? run;
}

const summaries = new Map(WORKFLOWS.flatMap((w) => w.steps.map((s) => [`${w.name}.${s.name}`, s.summary] as const)));

export const WorkflowRun: WorkflowRunResolvers = {
  status: (r) => r.status.toUpperCase() as WorkflowRunStatus,
  errorCode: (r) => r.error?.code ?? null,
  errorMessage: (r) => r.error?.message ?? null,
  // Steps in workflow order, then compensations in the order they ran (the reverse).
  steps: async (r, _args, ctx) => {
    const rows = await steps(ctx).load(r.id);
    const actions = rows.filter((s) => s.kind === 'action').sort((a, b) => a.position - b.position);
    const undos = rows.filter((s) => s.kind === 'compensation').sort((a, b) => b.position - a.position);
    return [...actions, ...undos].map((s) => Object.assign(s, { workflow: r.workflow }));
  },
};

export const WorkflowStep: WorkflowStepResolvers = {
  kind: (s) => s.kind.toUpperCase() as WorkflowStepKind,
  status: (s) => s.status.toUpperCase() as WorkflowStepStatus,
  resultSummary: (s) => {
    if (s.status !== 'completed' || s.kind !== 'action' || s.result == null) return null;
    const own = summaries.get(`${(s as StepRecord & { workflow?: string }).workflow}.${s.name}`);
    return own ? own(s.result) : JSON.stringify(s.result).slice(0, 200);
  },
};
