// Durable workflows across systems (DESIGN.md, "Events and workflows"). A workflow is one file
// (see createCustomer.ts) listed in WORKFLOWS; the engine (engine.ts) journals and runs them on
// the job queue. `createWorkflows` is what the server builds once.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Connectors } from '../connectors/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { AlertMonitor } from '../alerts/index.ts';
import { WorkflowEngine } from './engine.ts';
import { createCustomerWorkflow } from './createCustomer.ts';
import { paymentSucceededWorkflow } from './paymentSucceeded.ts';
import { crmContactCreatedWorkflow } from './crmContactCreated.ts';
import { customerFieldSyncWorkflow } from './customerFieldSync.ts';
import { linkCustomerWorkflow } from './linkCustomer.ts';
import type { WorkflowDefinition } from './types.ts';

export { WorkflowEngine, WORKFLOW_QUEUE, type StepEvent } from './engine.ts';
export { linkCustomerWorkflow } from './linkCustomer.ts';
export { createTriggers, type StartTriggered, type AppliedEvent } from './triggers.ts';
export { defineWorkflow, type WorkflowDefinition, type StepDefinition, type StepContext, type Trigger } from './types.ts';

/** Every workflow this version runs: a new one is its own file and one line here. */
export const WORKFLOWS: WorkflowDefinition<unknown>[] = [
  createCustomerWorkflow as unknown as WorkflowDefinition<unknown>,
  paymentSucceededWorkflow as unknown as WorkflowDefinition<unknown>,
  crmContactCreatedWorkflow as unknown as WorkflowDefinition<unknown>,
  customerFieldSyncWorkflow as unknown as WorkflowDefinition<unknown>,
  linkCustomerWorkflow as unknown as WorkflowDefinition<unknown>,
];

export interface WorkflowsOptions {
  connectors: Connectors;
  jobs: JobQueue | undefined;
  alerts: AlertMonitor;
  logger: Logger;
  config: Config['workflows'];
}

export function createWorkflows(o: WorkflowsOptions): WorkflowEngine {
  const logger = o.logger.child({ component: 'workflows' });
  const crash = new Set(o.config.testCrash);
  const engine = new WorkflowEngine({
    connectors: o.connectors,
    logger,
    jobs: o.jobs,
    waitMs: o.config.waitMs,
    settings: {
      maxAttempts: o.config.maxAttempts,
      retryDelayMs: o.config.retryDelayMs,
      retryDelayMaxMs: o.config.retryDelayMaxMs,
      attentionRetryMs: o.config.attentionRetrySeconds * 1000,
      leaseMs: o.config.leaseMs,
    },
    onAttention: (run, reason) =>
      reason === null
        ? o.alerts.resolve('workflow_attention', run.workflow, `workflow run ${run.id} (${run.workflow}) finished: ${run.subject ?? ''}`, run.id)
        : o.alerts.report(
            'workflow_attention',
            run.workflow,
            `workflow run ${run.id} (${run.workflow}, ${run.subject ?? 'no subject'}) needs attention: ${reason}`,
            run.id,
          ),
    // Test-only (WORKFLOW_TEST_CRASH, refused in production): the process dies as a power cut would.
    ...(crash.size
      ? {
          crashPoint: (point: string) => {
            if (!crash.has(point)) return;
            logger.warn({ point }, 'WORKFLOW_TEST_CRASH: killing this process');
            process.kill(process.pid, 'SIGKILL');
          },
        }
      : {}),
  });
  for (const def of WORKFLOWS) engine.register(def);
  return engine;
}
