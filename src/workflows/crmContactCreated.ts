// A contact someone made in the CRM, not through Switchyard, becomes a store customer linked to a
// payments customer. The trigger (below) starts a run for a contact that no store customer links
// and whose email no store customer has: a contact createCustomer made starts nothing, since its
// store row exists from its run's start. A contact without an email starts nothing (logged).
//   record    the store customer, PENDING and linked to the contact, written in the transaction
//             that starts the run (the event's). The email is unique in the store: when another
//             customer has it by the insert (a createCustomer, or another contact, won the race),
//             the run has nothing to do, and its later steps say so: one store customer, one
//             payments customer per email, whoever wins
//   payments  the payments customer with this email that no store customer links: found, else
//             created with the step's idempotency key
//   link      the row gets it and status LINKED
// A permanent failure undoes nothing upstream (the contact is someone's real record, and a
// payments customer made for it is kept for the repair): the row shows NEEDS_REPAIR with why.
import { z } from 'zod';
import { StoreConflictError } from '../errors/store.ts';
import { newCustomerId } from './createCustomer.ts';
import { defineWorkflow, type StepContext, type Trigger } from './types.ts';

const Input = z.object({
  /** The CRM instance the event came from. */
  provider: z.string(),
  contactId: z.string(),
  /** The store customer's id, made by the trigger. */
  customerId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  /** The event that started the run (for the journal's reader). */
  eventId: z.string(),
});
type Input = z.infer<typeof Input>;

const Recorded = z.union([z.object({ skipped: z.string() }), z.object({ customerId: z.string() })]);
const Linked = z.object({ id: z.string(), created: z.boolean() });

/** The contact's name as the store and the payments provider keep it: first and last, space-separated. */
export function contactName(c: { firstName: string | null; lastName: string | null }): string | null {
  const name = [c.firstName, c.lastName]
    .map((s) => s?.trim())
    .filter(Boolean)
    .join(' ');
  return name || null;
}

/** Why the run has nothing to do (it lost the race for the email), or null when the record is ours. */
function skipped(ctx: StepContext<Input>): string | null {
  const r = Recorded.parse(ctx.results.record);
  return 'skipped' in r ? r.skipped : null;
}

export const crmContactCreatedWorkflow = defineWorkflow<Input>({
  name: 'crmContactCreated',
  input: Input,
  subject: (i) => i.customerId,
  steps: [
    {
      name: 'record',
      atStart: async (tx, { input, runId, connectors }) => {
        const { customers } = connectors.store;
        try {
          // In a savepoint: a lost race must not abort the event's transaction.
          await tx.transaction((sp) =>
            customers.insert(
              {
                id: input.customerId,
                email: input.email,
                name: input.name,
                crmContactId: input.contactId,
                pendingReason: `linking a payments customer (run ${runId})`,
              },
              sp,
            ),
          );
          return { customerId: input.customerId };
        } catch (err) {
          if (!(err instanceof StoreConflictError) || (err.field !== 'email' && err.field !== 'crmContactId')) throw err;
          const other = err.field === 'email' ? await customers.byEmail(input.email, tx) : (await customers.byCrmIds([input.contactId], tx))[0];
          return { skipped: `skipped: customer ${other?.id ?? '(unknown)'} already has this ${err.field === 'email' ? 'email' : 'CRM contact'}` };
        }
      },
      // Kept, not deleted: the contact stands; the row says a person must finish the link.
      compensate: async ({ input, results, runId, connectors }) => {
        const r = Recorded.safeParse(results.record);
        if (!r.success || 'skipped' in r.data) return;
        const payments = Linked.safeParse(results.payments);
        await connectors.store.customers.updateLinks(input.customerId, {
          ...(payments.success ? { paymentsCustomerId: payments.data.id } : {}),
          linkStatus: 'needs_repair',
          linkError: `linking its payments customer failed for good (run ${runId})`,
        });
      },
      summary: (r) => {
        const p = Recorded.safeParse(r);
        if (!p.success) return JSON.stringify(r);
        return 'skipped' in p.data ? p.data.skipped : `customer ${p.data.customerId}`;
      },
    },
    {
      name: 'payments',
      run: async (ctx) => {
        const why = skipped(ctx);
        if (why) return { skipped: why };
        const { input, connectors, idempotencyKey } = ctx;
        const { payments, store } = connectors;
        const found = await payments.findCustomersByEmail(input.email);
        // Made by this run on an attempt whose answer was lost.
        const ours = found.find((c) => c.customerId === input.customerId);
        if (ours) return { id: ours.id, created: true };
        const owners = await store.customers.byPaymentsIds(found.map((c) => c.id));
        const free = found.find((_c, i) => !owners[i]);
        if (free) return { id: free.id, created: false };
        const made = await payments.createCustomer({ email: input.email, name: input.name, customerId: input.customerId, idempotencyKey });
        return { id: made.id, created: true };
      },
      summary: (r) => {
        const p = Linked.safeParse(r);
        return p.success
          ? `payments customer ${p.data.id} (${p.data.created ? 'created' : 'found'})`
          : ((r as { skipped?: string }).skipped ?? JSON.stringify(r));
      },
    },
    {
      name: 'link',
      run: async (ctx) => {
        const why = skipped(ctx);
        if (why) return { skipped: why };
        const payments = Linked.parse(ctx.results.payments);
        await ctx.connectors.store.customers.updateLinks(ctx.input.customerId, {
          paymentsCustomerId: payments.id,
          crmContactId: ctx.input.contactId,
          linkStatus: 'linked',
          linkError: null,
        });
        return { paymentsCustomerId: payments.id, crmContactId: ctx.input.contactId };
      },
      summary: (r) => {
        const x = r as { skipped?: string; paymentsCustomerId?: string; crmContactId?: string };
        return x.skipped ?? `linked to payments customer ${x.paymentsCustomerId} and CRM contact ${x.crmContactId}`;
      },
    },
  ],
  hooks: {
    pending: async (ctx, reason) => {
      if (!skipped(ctx)) await ctx.connectors.store.customers.setPending(ctx.input.customerId, reason);
    },
    // Forward only: a failed compensation is the write to the row itself, which the alert reports.
    needsAttention: async (ctx, reason, phase) => {
      if (phase === 'forward' && !skipped(ctx)) await ctx.connectors.store.customers.setPending(ctx.input.customerId, `${reason}; needs attention`);
    },
  },
});

/**
 * Any contact change but a deletion, for a contact no store customer links and whose email no
 * store customer has: one run per contact (its idempotency scope), however many events it sends.
 */
export const crmContactCreatedTrigger: Trigger = async (change, { tx, engine, event, connectors, logger }) => {
  if (change.kind !== 'contact' || change.deleted || !change.contact) return;
  const { customers } = connectors.store;
  const [linked] = await customers.byCrmIds([change.contactId], tx);
  if (linked) return;
  const email = change.contact.email?.trim();
  if (!email) {
    logger.info(
      { provider: event.provider, contactId: change.contactId, eventId: event.eventId },
      'CRM contact without an email: no store customer is made for it',
    );
    return;
  }
  if (await customers.byEmail(email, tx)) return;
  return engine.startIn(
    tx,
    crmContactCreatedWorkflow.name,
    { provider: event.provider, contactId: change.contactId, customerId: newCustomerId(), email, name: contactName(change.contact), eventId: event.eventId },
    { idempotencyScope: `${event.provider}:contact:${change.contactId}` },
  );
};
