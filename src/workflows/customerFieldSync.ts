// Two-way sync of a linked customer's email and name between the CRM (its contact: first and
// last name), the payments provider (its customer's `name`) and the store.
//
// The ownership rule (SYNC_FIELD_OWNERS; README, "Workflows"): each field is owned by one system,
// `crm` or `payments`, and the owner's current value is the truth. So
//   - a change in the owner system flows to the store and to the other system;
//   - a change of an owned field made in the other system is put back to the owner's value;
//   - Switchyard never writes a field to its owner, and writes a target only where its current
//     value differs from the owner's: the echo event of its own write finds nothing to do, and
//     starts nothing (the trigger compares with the store first). No loop: every write copies the
//     owner's value, which only people change.
// An owner value that is empty is not copied (a contact with no email does not clear the store's).
// Emails compare without regard to case, names with their spaces collapsed.
//
// The trigger (below) starts a run when a linked customer's contact or payments customer, as its
// system has it now, differs from the store in a synced field; one run per object, state and
// store version (its idempotency scope), so a duplicate, a late older event (re-read, it shows the
// same state) or a second property event of one change starts no second run. The steps:
//   store     the store's email and name become the owners'. An email another customer has is not
//             taken: the run needs attention, saying which customer has it, and goes no further
//             (the other system is not given a second customer's email either)
//   crm       the contact's fields owned by the payments provider become its values
//   payments  the payments customer's fields owned by the CRM become its values
// Each step reads the owner again after its write and writes again if the owner moved meanwhile
// (a run that read an older value must not leave it behind); nothing is undone after a failure.
import { z } from 'zod';
import { FIELD_OWNERS, SYNCED_FIELDS, type FieldOwner, type SyncedField } from '../config/workflows.ts';
import type { CustomerRecord } from '../connectors/store/index.ts';
import type { DomainChange } from '../connectors/domain/events.ts';
import { StoreConflictError } from '../errors/store.ts';
import { NeedsAttention } from './failure.ts';
import { digest } from './execute.ts';
import { splitName } from './links.ts';
import { contactName } from './crmContactCreated.ts';
import { defineWorkflow, type StepContext, type StepDefinition, type Trigger } from './types.ts';

const Owner = z.enum(FIELD_OWNERS);
const Input = z.object({
  customerId: z.string(),
  /** The system whose change started the run, and its instance and event (for the journal's reader). */
  source: Owner,
  provider: z.string(),
  eventId: z.string(),
  /** Who owned each field when the run started (SYNC_FIELD_OWNERS then). */
  owners: z.object({ email: Owner, name: Owner }),
});
type Input = z.infer<typeof Input>;

type Values = Record<SyncedField, string | null>;
/** What a write sets: never an empty value. */
type Changes = Partial<Record<SyncedField, string>>;
type Target = 'store' | FieldOwner;

/** A write stops after this many rounds of "the owner moved while we wrote": the owner's next event takes it from there. */
const MAX_ROUNDS = 3;

const clean = (field: SyncedField, v: string | null | undefined): string | null => {
  const s = field === 'name' ? v?.trim().replace(/\s+/g, ' ') : v?.trim();
  return s ? s : null;
};
const same = (field: SyncedField, a: string | null | undefined, b: string | null | undefined): boolean => {
  const [x, y] = [clean(field, a), clean(field, b)];
  return field === 'email' ? x?.toLowerCase() === y?.toLowerCase() : x === y;
};

/** What a change says its system holds now, or null for a change the sync does not follow. */
function sourceOf(change: DomainChange): { system: FieldOwner; objectId: string; values: Values } | null {
  if (change.kind === 'contact' && !change.deleted && change.contact)
    return { system: 'crm', objectId: change.contactId, values: { email: change.contact.email, name: contactName(change.contact) } };
  if (change.kind === 'paymentsCustomer' && !change.deleted && change.customer)
    return { system: 'payments', objectId: change.providerCustomerId, values: { email: change.customer.email, name: change.customer.name } };
  return null;
}

type Linked = CustomerRecord & { crmContactId: string; paymentsCustomerId: string };
const isLinked = (c: CustomerRecord | null | undefined): c is Linked => !!c && c.linkStatus === 'linked' && !!c.crmContactId && !!c.paymentsCustomerId;

/** The synced fields as a system holds them now (past any cache), or null when its object is gone. */
async function read(ctx: StepContext<Input>, customer: Linked, system: Target): Promise<Values | null> {
  if (system === 'store') return { email: customer.email, name: customer.name };
  if (system === 'crm') {
    const c = await ctx.connectors.crm.readContact(customer.crmContactId);
    return c && { email: c.email, name: contactName(c) };
  }
  const p = await ctx.connectors.payments.readCustomer(customer.paymentsCustomerId);
  return p && { email: p.email, name: p.name };
}

/** Writes `changes` to the target; a value another record holds there is a person's call (NeedsAttention). */
async function write(ctx: StepContext<Input>, customer: Linked, target: Target, changes: Changes): Promise<void> {
  const { store, crm, payments } = ctx.connectors;
  try {
    if (target === 'store') {
      await store.customers.updateProfile(customer.id, changes);
    } else if (target === 'crm') {
      await crm.updateContact(customer.crmContactId, {
        ...(changes.email ? { email: changes.email } : {}),
        ...(changes.name ? splitName(changes.name) : {}),
      });
    } else {
      // Keyed on (run, step) and the values: a retry of the same write acts once; a second round writes anew.
      await payments.updateCustomer(customer.paymentsCustomerId, changes, `${ctx.idempotencyKey}-${digest(changes).slice(0, 16)}`);
    }
  } catch (err) {
    if (target === 'store' && err instanceof StoreConflictError && err.field === 'email') {
      const other = await store.customers.byEmail(changes.email!);
      throw new NeedsAttention(
        `the ${ctx.input.owners.email === 'crm' ? 'CRM' : 'payments provider'}'s email ${changes.email} is another store customer's (${other?.id ?? 'unknown'}): change one of them`,
        { cause: err },
      );
    }
    if (target === 'crm' && (err as { kind?: string }).kind === 'conflict')
      throw new NeedsAttention(`the CRM has another contact with the email ${changes.email ?? ''}: merge or change one of them`, { cause: err });
    throw err;
  }
}

function syncStep(target: Target): StepDefinition<Input> {
  return {
    name: target,
    run: async (ctx) => {
      const fields = SYNCED_FIELDS.filter((f) => ctx.input.owners[f] !== target);
      if (!fields.length) return { wrote: {}, note: `${target} owns every synced field` };
      const wrote: Changes = {};
      for (let round = 1; round <= MAX_ROUNDS; round++) {
        // Read again each round: the store row the earlier steps (or another run) changed, the owner as it is now.
        const [customer] = await ctx.connectors.store.customers.byIds([ctx.input.customerId]);
        if (!isLinked(customer)) return { skipped: 'skipped: the customer is no longer linked' };
        const owners = new Map<FieldOwner, Values | null>();
        for (const f of fields) if (!owners.has(ctx.input.owners[f])) owners.set(ctx.input.owners[f], await read(ctx, customer, ctx.input.owners[f]));
        const current = await read(ctx, customer, target);
        if (!current) return { skipped: `skipped: the ${target} record is gone`, wrote };
        const changes: Changes = {};
        for (const f of fields) {
          const want = clean(f, owners.get(ctx.input.owners[f])?.[f]);
          if (want !== null && !same(f, want, current[f])) changes[f] = want;
        }
        if (!Object.keys(changes).length) return round > 2 ? { wrote, note: `the owner moved while it was written; written ${round - 1} times` } : { wrote };
        await write(ctx, customer, target, changes);
        Object.assign(wrote, changes);
      }
      return { wrote, note: `the owner kept changing; its next event takes it up` };
    },
    summary: (r) => {
      const x = r as { wrote?: Changes; skipped?: string; note?: string };
      if (x.skipped) return x.skipped;
      const parts = SYNCED_FIELDS.filter((f) => x.wrote?.[f]).map((f) => `${f} -> ${x.wrote![f]}`);
      if (!parts.length) return x.note ?? 'already agrees';
      return [`wrote ${parts.join(', ')}`, x.note].filter(Boolean).join('; ');
    },
  };
}

export const customerFieldSyncWorkflow = defineWorkflow<Input>({
  name: 'customerFieldSync',
  input: Input,
  subject: (i) => i.customerId,
  steps: [syncStep('store'), syncStep('crm'), syncStep('payments')],
});

/**
 * A linked customer's contact or payments customer, as its system has it now, differs from the
 * store in a synced field. Equal (the echo of the sync's own write, or a change to another
 * field): nothing starts.
 */
export const customerFieldSyncTrigger: Trigger = async (change, { tx, engine, event, config, connectors }) => {
  const from = sourceOf(change);
  if (!from) return;
  const { customers } = connectors.store;
  const [customer] = from.system === 'crm' ? await customers.byCrmIds([from.objectId], tx) : await customers.byPaymentsIds([from.objectId], tx);
  if (!isLinked(customer)) return;
  if (SYNCED_FIELDS.every((f) => same(f, from.values[f], customer[f]))) return;
  // The store's version is in the scope: the same state seen again later (A -> B -> A -> B) is a new change once the store moved.
  const version = await customers.version(customer.id, tx);
  return engine.startIn(
    tx,
    customerFieldSyncWorkflow.name,
    { customerId: customer.id, source: from.system, provider: event.provider, eventId: event.eventId, owners: config.fieldOwners },
    { idempotencyScope: `${event.provider}:${from.system}:${from.objectId}:${digest(from.values).slice(0, 16)}:${version}` },
  );
};
