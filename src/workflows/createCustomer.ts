// createCustomer spans three systems with no shared transaction, so it is a durable workflow:
//   record    the store row, status PROVISIONING, written in the transaction that starts the run
//   payments  the payments customer with this email: found (ours from an earlier attempt, or one
//             nobody links yet), else created with the step's idempotency key
//   crm       the CRM contact with this email: found or created (the CRM's duplicate answer names
//             the one it has); one already linked to another customer is a CONFLICT
//   link      the row gets both ids and status LINKED
// A transient failure leaves the row PENDING with its reason while the run retries on the queue;
// a permanent one undoes, in reverse, what the completed steps did: the contact and the payments
// customer only if this run created them (never one it found), then the row. If an undo fails
// for good, the row stays NEEDS_REPAIR with the reason, and an alert asks a person to look.
import { randomBytes } from 'node:crypto';
import { Linked, findOrCreateCrmContact, findOrCreatePaymentsCustomer, linkBoth, linkedSummary } from './links.ts';
import { z } from 'zod';
import type { Connectors } from '../connectors/index.ts';
import type { CustomerRecord } from '../connectors/store/index.ts';
import { ErrorCode, codedError } from '../errors/index.ts';
import type { WorkflowEngine } from './engine.ts';
import { runErrorToGraphQL } from './failure.ts';
import { currentScope } from '../pipeline/scope.ts';
import { defineWorkflow } from './types.ts';

export function newCustomerId(): string {
  return `cust_${randomBytes(12).toString('hex')}`;
}

const Input = z.object({ customerId: z.string(), email: z.string(), name: z.string().nullable() });
type Input = z.infer<typeof Input>;

export const createCustomerWorkflow = defineWorkflow<Input>({
  name: 'createCustomer',
  input: Input,
  subject: (i) => i.customerId,
  // The customer id is ours, made per call: a retry with the same key asks for the same email and name.
  digestOf: (i) => ({ email: i.email, name: i.name }),
  steps: [
    {
      name: 'record',
      atStart: async (tx, { input, connectors }) => {
        await connectors.store.customers.insert({ id: input.customerId, email: input.email, name: input.name }, tx);
        return { customerId: input.customerId };
      },
      compensate: ({ input, connectors }) => connectors.store.customers.delete(input.customerId),
    },
    {
      name: 'payments',
      run: ({ input, connectors, idempotencyKey }) => findOrCreatePaymentsCustomer(connectors, { ...input, idempotencyKey }),
      compensate: async ({ result, connectors }) => {
        const r = Linked.parse(result);
        if (r.created) await connectors.payments.deleteCustomer(r.id).catch(ignoreNotFound);
      },
      summary: (r) => linkedSummary('payments customer', r),
    },
    {
      name: 'crm',
      run: ({ input, connectors }) => findOrCreateCrmContact(connectors, input),
      compensate: async ({ result, connectors }) => {
        const r = Linked.parse(result);
        if (r.created) await connectors.crm.deleteContact(r.id);
      },
      summary: (r) => linkedSummary('CRM contact', r),
    },
    {
      name: 'link',
      run: ({ input, results, connectors }) => linkBoth(connectors, input.customerId, results),
    },
  ],
  hooks: {
    pending: ({ input, connectors }, reason) => connectors.store.customers.setPending(input.customerId, reason),
    needsAttention: async ({ input, results, connectors }, reason, phase) => {
      if (phase === 'forward') return connectors.store.customers.setPending(input.customerId, `${reason}; needs attention`);
      const payments = Linked.safeParse(results.payments);
      await connectors.store.customers.updateLinks(input.customerId, {
        ...(payments.success ? { paymentsCustomerId: payments.data.id } : {}),
        linkStatus: 'needs_repair',
        linkError: `create failed and could not be undone: ${reason}`,
      });
    },
  },
});

function ignoreNotFound(err: unknown): void {
  if ((err as { kind?: string }).kind !== 'not_found') throw err;
}

/**
 * The mutation's side: starts the run (or finds the one of this idempotency key), waits up to
 * waitMs, and answers the customer as it stands: LINKED, or PENDING with its reason while the run
 * goes on in the background. A run that failed answers its coded error (also on a replay).
 * The wait is the engine's (WORKFLOW_WAIT_MS) unless given.
 */
export async function createCustomer(
  engine: WorkflowEngine,
  connectors: Connectors,
  input: { email: string; name: string | null },
  opts: { idempotencyScope: string | null; waitMs?: number },
): Promise<CustomerRecord> {
  const { run } = await engine.begin(
    createCustomerWorkflow.name,
    { customerId: newCustomerId(), ...input },
    { idempotencyScope: opts.idempotencyScope, field: 'input.idempotencyKey' },
  );
  const waitMs = opts.waitMs ?? engine.waitMs;
  const settled = (await engine.wait(run.id, waitMs, currentScope())) ?? run;
  const customerId = run.subject!;
  // Failed for good: its error, whether the undo is done, under way, or failed (NEEDS_REPAIR).
  if (settled.phase === 'compensating' && settled.error) throw runErrorToGraphQL(settled.error);
  const [customer] = await connectors.store.customers.byIds([customerId]);
  if (!customer) {
    if (settled.error) throw runErrorToGraphQL(settled.error);
    throw codedError(ErrorCode.INTERNAL_SERVER_ERROR, `Customer ${customerId} of run ${run.id} is missing`);
  }
  if (customer.linkStatus !== 'provisioning') return customer;
  // Still linking when the wait is over: say so, with the step it is at, rather than answer a bare PROVISIONING.
  const step = (await connectors.store.workflows.steps(run.id)).filter((s) => s.kind === 'action' && s.status !== 'completed').at(0);
  await connectors.store.customers.setPending(customerId, `still linking after ${waitMs} ms${step ? ` (step ${step.name}, attempt ${step.attempts})` : ''}`);
  const [now] = await connectors.store.customers.byIds([customerId]);
  return now ?? customer;
}
