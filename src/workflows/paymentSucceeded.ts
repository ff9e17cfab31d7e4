// A payment succeeded (an event said so; src/workflows/triggers.ts starts the run in the
// transaction that marks the event processed, once per payment):
//   customer  the store customer of the payment's provider customer, and its CRM contact; none
//             linked: the run completes, every step recording "skipped: no linked contact"
//   total     what the customer has paid with this payment, from the store's mirror of payments
//             (succeeded less refunds, per currency: `netPaid`, the graph's own definition of totalPaid)
//   crm       the contact's lifecycle stage becomes `customer` unless it is there or past it
//             (stages only move forward), and the total, read again from the mirror as it is
//             at the write, goes to the configured property: a run that waited out a CRM outage
//             must not write over a later payment's total with the one it computed before it
//   notify    "payment succeeded" through every notification transport
// Every step acts once however often it runs: the CRM write sets absolute values, and the
// notification carries the step's idempotency key, from which a signed webhook's id is derived.
// Nothing is undone after a later failure: a stage and a total that are true stay true.
import { z } from 'zod';
import { netPaid, type Money } from '../connectors/domain/payments.ts';
import { defineWorkflow, type StepContext } from './types.ts';

const Input = z.object({
  /** The payments instance the event came from. */
  provider: z.string(),
  paymentId: z.string(),
  providerCustomerId: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  /** The event that started the run (for the journal's reader). */
  eventId: z.string(),
  /** The CRM property the total is written to (CRM_TOTAL_PAID_PROPERTY when the run started). */
  totalPaidProperty: z.string(),
});
type Input = z.infer<typeof Input>;

export const SKIPPED = 'skipped: no linked contact';
const TARGET_STAGE = 'customer';

const Found = z.union([
  z.object({ skipped: z.string() }),
  z.object({ customerId: z.string(), email: z.string(), name: z.string().nullable(), contactId: z.string() }),
]);
const Written = z.object({ totalPaid: z.string() });
const Total = z.object({ total: z.array(z.object({ amount: z.number(), currency: z.string() })), text: z.string() });

/** Minor units as the currency writes them: `1234.50 USD, 80 JPY`, currencies in alphabetical order. */
export function formatMoney(m: Money): string {
  const code = m.currency.toUpperCase();
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
  return `${(m.amount / 10 ** digits).toFixed(digits)} ${code}`;
}
export const formatTotal = (total: readonly Money[]): string => total.map(formatMoney).join(', ');

/** The customer's net paid now, by the store's mirror of the payments its events brought. */
async function totalOf({ input, connectors }: StepContext<Input>): Promise<{ total: Money[]; text: string }> {
  const total = netPaid(await connectors.store.payments.byCustomer(input.provider, input.providerCustomerId));
  return { total, text: formatTotal(total) };
}

/** The first step's answer: the customer and contact, or why the run has nothing to do. */
function found(ctx: StepContext<Input>) {
  const r = Found.parse(ctx.results.customer);
  return 'skipped' in r ? null : r;
}

export const paymentSucceededWorkflow = defineWorkflow<Input>({
  name: 'paymentSucceeded',
  input: Input,
  subject: (i) => i.paymentId,
  steps: [
    {
      name: 'customer',
      run: async ({ input, connectors }) => {
        const [customer] = await connectors.store.customers.byPaymentsIds([input.providerCustomerId]);
        if (!customer?.crmContactId) return { skipped: SKIPPED };
        return { customerId: customer.id, email: customer.email, name: customer.name, contactId: customer.crmContactId };
      },
      summary: (r) => {
        const p = Found.safeParse(r);
        if (!p.success) return JSON.stringify(r);
        return 'skipped' in p.data ? p.data.skipped : `customer ${p.data.customerId}, CRM contact ${p.data.contactId}`;
      },
    },
    {
      name: 'total',
      run: async (ctx) => {
        if (!found(ctx)) return { skipped: SKIPPED };
        return totalOf(ctx);
      },
      summary: (r) => Total.safeParse(r).data?.text ?? (r as { skipped?: string }).skipped ?? JSON.stringify(r),
    },
    {
      name: 'crm',
      run: async (ctx) => {
        const who = found(ctx);
        if (!who) return { skipped: SKIPPED };
        const { crm } = ctx.connectors;
        // Read past the cache: a stage someone moved on a moment ago must not be set back.
        const contact = await crm.readContact(who.contactId);
        if (!contact) return { skipped: `skipped: CRM contact ${who.contactId} no longer exists` };
        const at = contact.lifecycleStage ? crm.lifecycleStages.indexOf(contact.lifecycleStage) : -1;
        // Unset, or an earlier stage: moved to customer. Customer or past it, or a stage of the
        // CRM's own that Switchyard does not know the place of: left as it is.
        const move = !contact.lifecycleStage || (at >= 0 && at < crm.lifecycleStages.indexOf(TARGET_STAGE));
        const { text } = await totalOf(ctx);
        const after = await crm.updateContact(contact.id, {
          ...(move ? { lifecycleStage: TARGET_STAGE } : {}),
          properties: { [ctx.input.totalPaidProperty]: text },
        });
        return { contactId: contact.id, stageBefore: contact.lifecycleStage, stage: after.lifecycleStage, totalPaid: text };
      },
      summary: (r) => {
        const x = r as { contactId?: string; stageBefore?: string | null; stage?: string | null; totalPaid?: string; skipped?: string };
        if (x.skipped) return x.skipped;
        return `contact ${x.contactId}: stage ${x.stageBefore ?? 'unset'} -> ${x.stage ?? 'unset'}, total paid ${x.totalPaid}`;
      },
    },
    {
      name: 'notify',
      run: async (ctx) => {
        const who = found(ctx);
        if (!who) return { skipped: SKIPPED };
        // The total as the CRM got it (a gone contact got none: the step's own figure then).
        const written = Written.safeParse(ctx.results.crm);
        const text = written.success ? written.data.totalPaid : Total.parse(ctx.results.total).text;
        const { input, connectors } = ctx;
        const amount = formatMoney({ amount: input.amount, currency: input.currency });
        const name = who.name ? `${who.name} <${who.email}>` : who.email;
        const sent = await Promise.allSettled(
          connectors.notifiers.map((n) =>
            n.notify({
              event: 'workflow.payment_succeeded',
              title: `Payment succeeded: ${name}, ${amount}`,
              text: `payment succeeded: customer ${who.customerId} (${name}), amount ${amount}, total paid ${text}`,
              data: { customerId: who.customerId, crmContactId: who.contactId, paymentId: input.paymentId, amount, totalPaid: text, runId: ctx.runId },
              severity: 'info',
              dedupeKey: `payment:${input.provider}:${input.paymentId}`,
              idempotencyKey: ctx.idempotencyKey,
            }),
          ),
        );
        const failed = sent.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason;
        return { sent: connectors.notifiers.map((n) => n.name) };
      },
      summary: (r) => {
        const x = r as { sent?: string[]; skipped?: string };
        return x.skipped ?? (x.sent?.length ? `sent through ${x.sent.join(', ')}` : 'no notification transport is configured');
      },
    },
  ],
});
