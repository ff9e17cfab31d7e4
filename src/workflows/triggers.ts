// Workflows that events start (WORKFLOW_TRIGGERS). The event worker calls `startTriggered` in
// the transaction that marks an event processed, so a run starts exactly when its event counts
// as applied: a crash before the commit leaves the event to be applied again (and the run to be
// started then), never applied without its run. Each trigger names its idempotency scope, so a
// duplicate delivery, a replay or another event about the same object starts no second run.
// A trigger lives in its workflow's file; this table names them.
import type { Logger } from 'pino';
import type { Connectors } from '../connectors/index.ts';
import type { Db } from '../connectors/store/db.ts';
import type { DomainChange } from '../connectors/domain/events.ts';
import type { TriggerName, WorkflowsConfig } from '../config/workflows.ts';
import type { WorkflowEngine } from './engine.ts';
import { paymentSucceededWorkflow } from './paymentSucceeded.ts';
import { crmContactCreatedTrigger } from './crmContactCreated.ts';
import { customerFieldSyncTrigger } from './customerFieldSync.ts';
import type { AppliedEvent, Trigger } from './types.ts';

export type { AppliedEvent } from './types.ts';

export type StartTriggered = (tx: Db, event: AppliedEvent, changes: readonly DomainChange[]) => Promise<void>;

const TRIGGERS: Record<TriggerName, Trigger> = {
  // A payment whose current state is succeeded, whichever event said so (the intent's success,
  // the charge's, a later update): one run per payment, scoped by the payment, not by the event,
  // since a payment's success comes with several events.
  paymentSucceeded: async (change, { tx, engine, event, config }) => {
    if (change.kind !== 'payment' || change.payment.status !== 'succeeded' || !change.payment.providerCustomerId) return;
    const p = change.payment;
    return engine.startIn(
      tx,
      paymentSucceededWorkflow.name,
      {
        provider: event.provider,
        paymentId: p.id,
        providerCustomerId: p.providerCustomerId!,
        amount: p.amount.amount,
        currency: p.amount.currency,
        eventId: event.eventId,
        totalPaidProperty: config.totalPaidProperty,
      },
      { idempotencyScope: `${event.provider}:payment:${p.id}` },
    );
  },
  crmContactCreated: crmContactCreatedTrigger,
  customerFieldSync: customerFieldSyncTrigger,
};

export function createTriggers(engine: WorkflowEngine, config: WorkflowsConfig, deps: { connectors: Connectors; logger: Logger }): StartTriggered {
  const enabled = config.triggers.map((name) => TRIGGERS[name]);
  const logger = deps.logger.child({ component: 'triggers' });
  return async (tx, event, changes) => {
    for (const change of changes) for (const trigger of enabled) await trigger(change, { tx, engine, event, config, connectors: deps.connectors, logger });
  };
}
