// `switchyard import`: the customers that already exist in the CRM and the payments provider come
// into the store, linked by email. Three phases, each resumable:
//   crm       every contact, a page at a time: adopted (customerBulk.adopt) in the page's
//             transaction together with the listing cursor, so a crash loses no page and repeats none
//   payments  every payments customer, the same way: one with the email of a contact's customer
//             links to it; the rest become customers of their own
//   link      customers still missing a link (their record exists in one system only) get the
//             other one found or created by a linkCustomer run each
// The providers' quotas hold because every listing call goes through the pipeline's outbound
// quota, as any other call does; a page refused with 429 is retried there, not skipped.
import type { UpstreamRecord } from '../connectors/store/index.ts';
import { newCustomerId } from '../workflows/createCustomer.ts';
import { awaitRuns, startLinkRepairs } from './repairs.ts';
import { DONE, type Tracker } from './tracker.ts';
import type { SyncDeps } from './types.ts';

type System = 'crm' | 'payments';

const REASON: Record<System, string> = {
  crm: 'imported from the CRM; its payments customer is not linked yet',
  payments: 'imported from the payments provider; its CRM contact is not linked yet',
};

async function listPage(deps: SyncDeps, system: System, after: string | null): Promise<{ rows: UpstreamRecord[]; read: number; next: string | null }> {
  const { crm, payments } = deps.connectors;
  if (system === 'crm') {
    const page = await crm.listContacts(after, deps.settings.pageSize);
    const rows = page.items.flatMap((c) =>
      c.email
        ? [
            {
              upstreamId: c.id,
              email: c.email,
              name: [c.firstName, c.lastName].filter(Boolean).join(' ') || null,
              createdAt: null,
              lifecycleStage: c.lifecycleStage,
            },
          ]
        : [],
    );
    return { rows, read: page.items.length, next: page.next };
  }
  const page = await payments.listCustomers(after, deps.settings.pageSize);
  const rows = page.items.flatMap((c) => (c.email ? [{ upstreamId: c.id, email: c.email, name: c.name, createdAt: c.createdAt }] : []));
  return { rows, read: page.items.length, next: page.next };
}

async function adoptAll(deps: SyncDeps, t: Tracker, system: System): Promise<void> {
  if (t.cursor[system] === DONE) return;
  t.enter(system);
  let after = t.cursor[system] ?? null;
  const { store } = deps.connectors;
  do {
    const page = await listPage(deps, system, after);
    await store.transaction(async (tx) => {
      const r = await store.customerBulk.adopt(tx, system, page.rows, { newId: newCustomerId, pendingReason: REASON[system] });
      t.add(`${system}.read`, page.read);
      t.add(`${system}.withoutEmail`, page.read - page.rows.length);
      t.add('created', r.created.length);
      t.add('linked', r.linked.length);
      t.add(`${system}.alreadyLinked`, r.alreadyLinked);
      t.add(`${system}.duplicates`, r.duplicates.length);
      t.step(page.read);
      after = page.next;
      await t.save({ [system]: after ?? DONE }, tx);
    });
  } while (after);
}

/** Customers with a link missing and no run about them: each gets a linkCustomer run. */
async function linkMissing(deps: SyncDeps, t: Tracker): Promise<void> {
  if (t.cursor.link === DONE) return;
  const { store } = deps.connectors;
  const missing: { id: string; reason: string }[] = [];
  for (let after: string | null = null; ;) {
    const page = await store.customerBulk.scan(after, 500);
    for (const c of page) {
      if ((!c.paymentsCustomerId || !c.crmContactId) && c.linkStatus !== 'provisioning') missing.push({ id: c.id, reason: 'import' });
    }
    if (page.length < 500) break;
    after = page.at(-1)!.id;
  }
  t.enter('link', missing.length);
  await t.save();
  const started = await startLinkRepairs(deps, t.run.id, missing);
  const runs = await awaitRuns(
    deps,
    started.map((s) => s.runId),
    deps.settings.repairWaitMs,
    t.signal,
    async (settled) => {
      t.progress = { phase: 'link', done: settled, total: started.length };
      await t.tick();
    },
  );
  let completed = 0;
  for (const run of runs.values()) if (run.status === 'completed') completed++;
  t.add('link.completed', completed);
  t.add('link.notCompleted', started.length - completed);
  await t.save({ link: DONE });
}

export async function runImport(deps: SyncDeps, t: Tracker): Promise<void> {
  await adoptAll(deps, t, 'crm');
  await adoptAll(deps, t, 'payments');
  await linkMissing(deps, t);
}
