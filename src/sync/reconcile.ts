// Reconciliation: what the store, the payments provider and the CRM disagree on, read from full
// listings (through the pipeline, so within quotas) and the store's own tables. Each drift is
// one row with what its repair does; with `fix`, fix.ts then repairs them. Kinds:
//   payment_missing, payment_stale   a provider payment the store's mirror lacks or shows otherwise
//   link_broken                      a customer's link names a record its system no longer has
//   link_missing                     a customer lacks a link, and no run is about it
//   customer_stuck                   PROVISIONING or PENDING for long, with no run about it
//   needs_repair                     a customer marked NEEDS_REPAIR (a failed undo, a deleted record)
//   orphan                           an upstream record no customer has, with an email no customer has
//   duplicate                        an unlinked upstream record with the email of a customer linked to another
//   stray                            a payments customer made for a customer that links another, or none
//   field_mismatch                   email or name differ from the owning system's value
//   stage_stale                      the store's copy of a contact's lifecycle stage (the reports') is not the CRM's
//   run_needs_attention              a workflow run waiting for a person
import type { CrmContactRecord } from '../connectors/domain/crm.ts';
import type { ListedProviderCustomer } from '../connectors/domain/payments.ts';
import { mirrorOf, type NewDrift, type StoredPayment } from '../connectors/store/index.ts';
import type { Tracker } from './tracker.ts';
import type { FieldOwner, OwnedField, SyncDeps } from './types.ts';

export type Drift = NewDrift & { fix: Fix };

/** What fix.ts does for a drift; `none` leaves it reported. */
export type Fix =
  | {
      op: 'mirrorPayment';
      payment: Omit<StoredPayment, 'syncedAt'>;
    }
  | { op: 'link'; customerId: string; clear?: 'payments' | 'crm' }
  | {
      op: 'adopt';
      system: 'payments' | 'crm';
      record: { upstreamId: string; email: string; name: string | null; createdAt: Date | null; lifecycleStage: string | null };
    }
  | { op: 'deleteUpstream'; system: 'payments'; upstreamId: string }
  | { op: 'syncField'; customerId: string; field: OwnedField; value: string | null; owner: FieldOwner }
  | { op: 'retryRun'; runId: string }
  | { op: 'mirrorStage'; customerId: string; contactId: string; stage: string | null }
  | { op: 'none' };

const fullName = (c: CrmContactRecord): string | null => [c.firstName, c.lastName].filter(Boolean).join(' ') || null;
const same = (a: string | null | undefined, b: string | null | undefined, field: OwnedField) =>
  field === 'email' ? (a ?? '').toLowerCase() === (b ?? '').toLowerCase() : (a ?? '') === (b ?? '');

async function listAll<T>(
  t: Tracker,
  phase: string,
  stop: AbortSignal,
  list: (after: string | null) => Promise<{ items: T[]; next: string | null }>,
): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  do {
    stop.throwIfAborted();
    const page = await list(after);
    out.push(...page.items);
    t.step(page.items.length);
    await t.tick();
    after = page.next;
  } while (after);
  t.add(`${phase}.read`, out.length);
  return out;
}

/** Payments the mirror lacks or shows otherwise, a page at a time (never the whole list in memory). */
async function paymentDrift(deps: SyncDeps, t: Tracker, stop: AbortSignal, out: Drift[]): Promise<void> {
  const { payments, store } = deps.connectors;
  let after: string | null = null;
  do {
    stop.throwIfAborted();
    const page = await payments.listPayments(after, deps.settings.pageSize);
    const mirrored = await store.payments.byIds(
      payments.name,
      page.items.map((p) => p.id),
    );
    page.items.forEach((p, i) => {
      const m = mirrored[i];
      const payment = mirrorOf(payments.name, p);
      const fix: Fix = { op: 'mirrorPayment', payment };
      if (!m) {
        out.push({
          kind: 'payment_missing',
          system: 'payments',
          customerId: null,
          upstreamId: p.id,
          detail: `payment ${p.id} (${p.status}) is not in the store`,
          repair: 'record it in the store',
          fix,
        });
      } else if (m.status !== p.status || m.amountRefunded !== p.amountRefunded || m.amount !== p.amount.amount || m.currency !== p.amount.currency) {
        out.push({
          kind: 'payment_stale',
          system: 'payments',
          customerId: null,
          upstreamId: p.id,
          detail: `payment ${p.id}: the store has ${m.status}, refunded ${m.amountRefunded}; the provider ${p.status}, refunded ${p.amountRefunded}`,
          repair: 'update the store to the provider',
          fix,
        });
      }
    });
    t.step(page.items.length);
    t.add('payments.read', page.items.length);
    await t.tick();
    after = page.next;
  } while (after);
}

/** Promise.all that aborts `stop` on the first failure and settles only once every task has stopped. */
async function allOrStop<A, B>(stop: AbortController, tasks: [Promise<A>, Promise<B>]): Promise<[A, B]> {
  // Aborted with the failure itself, so the other task stops with the same error.
  for (const task of tasks) task.catch((err: unknown) => stop.abort(err));
  const [a, b] = await Promise.allSettled(tasks);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}

export async function detectDrift(deps: SyncDeps, t: Tracker): Promise<Drift[]> {
  const { crm, payments, store } = deps.connectors;
  const { pageSize, fieldOwners, stuckAfterMs } = deps.settings;
  const out: Drift[] = [];
  // The CRM and the payments provider are listed at once, each within its own quota, so the
  // slower of the two sets the time (it was their sum). A failure of either stops the other at
  // its next page.
  t.enter('listing');
  const stop = new AbortController();
  const [contacts, pcustomers] = await allOrStop(stop, [
    listAll<CrmContactRecord>(t, 'crm', stop.signal, (after) => crm.listContacts(after, pageSize)),
    (async () => {
      const listed = await listAll<ListedProviderCustomer>(t, 'paymentsCustomers', stop.signal, (after) => payments.listCustomers(after, pageSize));
      await paymentDrift(deps, t, stop.signal, out);
      return listed;
    })(),
  ]);

  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const pcById = new Map(pcustomers.map((c) => [c.id, c]));
  const linkedContacts = new Set<string>();
  const linkedPc = new Set<string>();
  const customerByEmail = new Map<string, { id: string; paymentsCustomerId: string | null; crmContactId: string | null }>();
  const customerIds = new Set<string>();

  t.enter('store');
  const candidates: { id: string; linkStatus: string; updatedAt: Date; missing: boolean }[] = [];
  for (let after: string | null = null; ;) {
    const page = await store.customerBulk.scan(after, 500);
    for (const c of page) {
      customerIds.add(c.id);
      customerByEmail.set(c.email.toLowerCase(), c);
      const contact = c.crmContactId ? contactById.get(c.crmContactId) : undefined;
      const pc = c.paymentsCustomerId ? pcById.get(c.paymentsCustomerId) : undefined;
      if (c.crmContactId) linkedContacts.add(c.crmContactId);
      if (c.paymentsCustomerId) linkedPc.add(c.paymentsCustomerId);
      if (c.crmContactId && !contact)
        out.push({
          kind: 'link_broken',
          system: 'crm',
          customerId: c.id,
          upstreamId: c.crmContactId,
          detail: `customer ${c.id} links CRM contact ${c.crmContactId}, which the CRM no longer has`,
          repair: 'unlink it and find or create the contact by email',
          fix: { op: 'link', customerId: c.id, clear: 'crm' },
        });
      if (c.paymentsCustomerId && !pc)
        out.push({
          kind: 'link_broken',
          system: 'payments',
          customerId: c.id,
          upstreamId: c.paymentsCustomerId,
          detail: `customer ${c.id} links payments customer ${c.paymentsCustomerId}, which the provider no longer has`,
          repair: 'unlink it and find or create the payments customer by email',
          fix: { op: 'link', customerId: c.id, clear: 'payments' },
        });
      const missing = !c.crmContactId || !c.paymentsCustomerId;
      if (c.linkStatus !== 'linked' || missing) candidates.push({ id: c.id, linkStatus: c.linkStatus, updatedAt: c.updatedAt, missing });
      if (contact && (c.crmLifecycleStage ?? null) !== (contact.lifecycleStage ?? null))
        out.push({
          kind: 'stage_stale',
          system: 'store',
          customerId: c.id,
          upstreamId: contact.id,
          detail: `customer ${c.id}: the store has lifecycle stage ${JSON.stringify(c.crmLifecycleStage)}, the CRM ${JSON.stringify(contact.lifecycleStage)}`,
          repair: "copy the CRM's stage to the store",
          fix: { op: 'mirrorStage', customerId: c.id, contactId: contact.id, stage: contact.lifecycleStage },
        });
      // Fields, where both sides are there to compare.
      for (const field of ['email', 'name'] as const) {
        const owner = fieldOwners[field];
        const ownerRecord = owner === 'crm' ? contact : pc;
        if (!ownerRecord || !contact || !pc) continue;
        const truth = field === 'email' ? ownerRecord.email : owner === 'crm' ? fullName(contact) : pc.name;
        const seen = {
          store: field === 'email' ? c.email : c.name,
          crm: field === 'email' ? contact.email : fullName(contact),
          payments: field === 'email' ? pc.email : pc.name,
        };
        const off = (Object.keys(seen) as (keyof typeof seen)[]).filter((k) => k !== owner && !same(seen[k], truth, field));
        if (!off.length || (field === 'email' && !truth)) continue;
        out.push({
          kind: 'field_mismatch',
          system: off.join(','),
          customerId: c.id,
          upstreamId: null,
          detail: `${field}: the ${owner === 'crm' ? 'CRM' : 'payments provider'} (which owns it) has ${JSON.stringify(truth)}; ${off.map((k) => `${k} has ${JSON.stringify(seen[k])}`).join(', ')}`,
          repair: `write the owner's value to ${off.join(' and ')}`,
          fix: { op: 'syncField', customerId: c.id, field, value: truth ?? null, owner },
        });
      }
    }
    t.step(page.length);
    await t.tick();
    if (page.length < 500) break;
    after = page.at(-1)!.id;
  }
  t.add('store.read', customerIds.size);

  const busy = await store.workflows.openSubjects(candidates.map((c) => c.id));
  const cutoff = Date.now() - stuckAfterMs;
  for (const c of candidates) {
    if (busy.has(c.id)) continue;
    if (c.linkStatus === 'provisioning' || c.linkStatus === 'pending') {
      if (c.updatedAt.getTime() < cutoff)
        out.push({
          kind: 'customer_stuck',
          system: 'store',
          customerId: c.id,
          upstreamId: null,
          detail: `customer ${c.id} has been ${c.linkStatus.toUpperCase()} since ${c.updatedAt.toISOString()} with no run about it`,
          repair: 'find or create its missing records and link them',
          fix: { op: 'link', customerId: c.id },
        });
    } else if (c.linkStatus === 'needs_repair') {
      out.push({
        kind: 'needs_repair',
        system: 'store',
        customerId: c.id,
        upstreamId: null,
        detail: `customer ${c.id} is NEEDS_REPAIR`,
        repair: 'find or create its missing records and link them',
        fix: { op: 'link', customerId: c.id },
      });
    } else if (c.missing) {
      out.push({
        kind: 'link_missing',
        system: 'store',
        customerId: c.id,
        upstreamId: null,
        detail: `customer ${c.id} is LINKED but lacks a link`,
        repair: 'find or create the missing record and link it',
        fix: { op: 'link', customerId: c.id },
      });
    }
  }

  // Upstream records no customer links.
  const unlinked = (
    system: 'crm' | 'payments',
    id: string,
    email: string | null,
    name: string | null,
    createdAt: Date | null,
    madeFor: string | null,
    lifecycleStage: string | null = null,
  ) => {
    if (!email) return;
    const owner = customerByEmail.get(email.toLowerCase());
    const ownerLink = owner && (system === 'crm' ? owner.crmContactId : owner.paymentsCustomerId);
    // A customer with this email and no link to this system: its link_missing repair finds this record.
    if (owner && !ownerLink) return;
    const what = system === 'crm' ? `CRM contact ${id}` : `payments customer ${id}`;
    if (system === 'payments' && madeFor && (!customerIds.has(madeFor) || owner)) {
      out.push({
        kind: 'stray',
        system,
        customerId: owner?.id ?? null,
        upstreamId: id,
        detail: `${what} was made for customer ${madeFor}, which links ${owner ? 'another' : 'none (it is gone)'}`,
        repair: 'delete it upstream (only with deleteStrays)',
        fix: { op: 'deleteUpstream', system, upstreamId: id },
      });
    } else if (owner) {
      out.push({
        kind: 'duplicate',
        system,
        customerId: owner.id,
        upstreamId: id,
        detail: `${what} has the email of customer ${owner.id}, which links ${ownerLink}`,
        repair: 'none: merge or delete it in its system',
        fix: { op: 'none' },
      });
    } else {
      out.push({
        kind: 'orphan',
        system,
        customerId: null,
        upstreamId: id,
        detail: `${what} (${email}) has no customer in the store`,
        repair: 'adopt it as a customer and link it',
        fix: { op: 'adopt', system, record: { upstreamId: id, email, name, createdAt, lifecycleStage } },
      });
    }
  };
  for (const c of contacts) if (!linkedContacts.has(c.id)) unlinked('crm', c.id, c.email, fullName(c), null, null, c.lifecycleStage);
  for (const c of pcustomers) if (!linkedPc.has(c.id)) unlinked('payments', c.id, c.email, c.name, c.createdAt, c.customerId);

  t.enter('runs');
  for (let after: string | null = null; ;) {
    const page = await store.workflows.list({ status: 'needs_attention' }, 100, after);
    for (const { node } of page.items)
      out.push({
        kind: 'run_needs_attention',
        system: 'workflows',
        customerId: node.subject,
        upstreamId: node.id,
        detail: `${node.workflow} run ${node.id} needs attention: ${node.error?.message ?? 'no reason recorded'}`,
        repair: 'retry it now',
        fix: { op: 'retryRun', runId: node.id },
      });
    if (!page.hasNextPage) break;
    after = page.items.at(-1)!.cursor;
  }
  return out;
}
