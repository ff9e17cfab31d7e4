// `--fix`: the repairs of a reconciliation's drift. What crosses systems is a linkCustomer run
// (journaled and retried like every workflow); what only the store holds (its payment mirror, a
// link to a record that is gone) is written here; upstream data is never deleted unless the run
// was asked to (deleteStrays), and then only a payments customer Switchyard made and nobody links.
import type { DriftRecord } from '../connectors/store/index.ts';
import { newCustomerId } from '../workflows/createCustomer.ts';
import type { Drift } from './reconcile.ts';
import { awaitRuns, repairOutcome, startLinkRepairs } from './repairs.ts';
import type { Tracker } from './tracker.ts';
import type { SyncDeps } from './types.ts';
import { splitName } from '../workflows/links.ts';

type Outcome = { status: 'fixed' | 'failed' | 'skipped'; error: string | null };

const MIRROR_BATCH = 500;
const OUTCOME_BATCH = 1_000;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function repairDrift(
  deps: SyncDeps,
  t: Tracker,
  stored: readonly DriftRecord[],
  drift: readonly Drift[],
  o: { deleteStrays: boolean },
): Promise<void> {
  const { connectors, workflows } = deps;
  const { store } = connectors;
  t.enter('fix', drift.length);
  await t.save();
  const outcomes = new Map<number, Outcome>();
  // Runs to wait for: the seq of each drift a run repairs.
  const waitingOn = new Map<string, number[]>();
  const link: { id: string; reason: string; seq: number }[] = [];
  const mirror: { seq: number; payment: Extract<Drift['fix'], { op: 'mirrorPayment' }>['payment'] }[] = [];
  const flushMirror = async () => {
    const batch = mirror.splice(0);
    const out: Outcome = await store.payments.upsertMany(batch.map((m) => m.payment)).then(
      () => ({ status: 'fixed', error: null }),
      (err: unknown) => ({ status: 'failed', error: message(err) }),
    );
    for (const m of batch) outcomes.set(m.seq, out);
  };
  for (let i = 0; i < drift.length; i++) {
    const d = drift[i]!;
    const seq = stored[i]!.seq;
    const f = d.fix;
    try {
      switch (f.op) {
        case 'mirrorPayment':
          // Written a batch at a time: a fresh import leaves every payment to mirror (25 000 for 10 000 customers).
          mirror.push({ seq, payment: f.payment });
          if (mirror.length >= MIRROR_BATCH) await flushMirror();
          break;
        case 'link':
          if (f.clear) {
            await store.customers.updateLinks(f.customerId, {
              [f.clear === 'crm' ? 'crmContactId' : 'paymentsCustomerId']: null,
              linkStatus: 'needs_repair',
              linkError: `its ${f.clear === 'crm' ? 'CRM contact' : 'payments customer'} no longer exists; being relinked`,
            });
          }
          link.push({ id: f.customerId, reason: d.kind, seq });
          break;
        case 'adopt': {
          const adopted = await store.transaction((tx) =>
            store.customerBulk.adopt(tx, f.system, [f.record], { newId: newCustomerId, pendingReason: `adopted by reconciliation ${t.run.id}` }),
          );
          const id = adopted.created[0] ?? adopted.linked[0];
          if (id) link.push({ id, reason: 'orphan', seq });
          else outcomes.set(seq, { status: 'skipped', error: 'linked meanwhile' });
          break;
        }
        case 'deleteUpstream':
          if (!o.deleteStrays) {
            outcomes.set(seq, { status: 'skipped', error: 'upstream records are deleted only with deleteStrays' });
            break;
          }
          await connectors.payments.deleteCustomer(f.upstreamId);
          outcomes.set(seq, { status: 'fixed', error: null });
          break;
        case 'syncField':
          await syncField(deps, f, t.run.id);
          outcomes.set(seq, { status: 'fixed', error: null });
          break;
        case 'mirrorStage':
          await store.customers.setCrmLifecycleStage(f.customerId, f.contactId, f.stage);
          outcomes.set(seq, { status: 'fixed', error: null });
          break;
        case 'retryRun': {
          // PENDING from here until its next attempt ends, so the wait below sees that attempt.
          if (await workflows.retryNow(f.runId)) waitingOn.set(f.runId, [seq]);
          else outcomes.set(seq, { status: 'skipped', error: 'the run no longer needs attention, or a process holds it' });
          break;
        }
        case 'none':
          outcomes.set(seq, { status: 'skipped', error: 'no automatic repair' });
          break;
      }
    } catch (err) {
      outcomes.set(seq, { status: 'failed', error: message(err) });
    }
    t.step(1);
    await t.tick();
  }
  await flushMirror();
  for (const r of await startLinkRepairs(deps, t.run.id, link)) {
    waitingOn.set(r.runId, [...(waitingOn.get(r.runId) ?? []), ...link.filter((l) => l.id === r.customerId).map((l) => l.seq)]);
  }
  // A customer a run is about already (another repair, its own createCustomer) is left to that run.
  for (const l of link)
    if (![...waitingOn.values()].some((seqs) => seqs.includes(l.seq)))
      outcomes.set(l.seq, { status: 'skipped', error: 'a run about this customer is under way' });
  t.enter('repairs', waitingOn.size);
  const runs = await awaitRuns(deps, [...waitingOn.keys()], deps.settings.repairWaitMs, t.signal, async (settled) => {
    t.progress = { phase: 'repairs', done: settled, total: waitingOn.size };
    await t.tick();
  });
  for (const [runId, seqs] of waitingOn) for (const seq of seqs) outcomes.set(seq, repairOutcome(runs.get(runId)));
  const settled = [...outcomes].map(([seq, out]) => ({ seq, ...out }));
  for (let i = 0; i < settled.length; i += OUTCOME_BATCH) await store.sync.setRepairs(t.run.id, settled.slice(i, i + OUTCOME_BATCH));
  for (const out of settled) t.add(`repair.${out.status}`);
}

/** The owner's value, written to the store and the other system where they differ. */
async function syncField(deps: SyncDeps, f: Extract<Drift['fix'], { op: 'syncField' }>, runId: string): Promise<void> {
  const { store, crm, payments } = deps.connectors;
  const [c] = await store.customers.byIds([f.customerId]);
  if (!c) throw new Error(`customer ${f.customerId} no longer exists`);
  if (f.field === 'email' && !f.value) throw new Error('the owner has no email to write');
  await store.customerBulk.setProfile(c.id, f.field === 'email' ? { email: f.value! } : { name: f.value });
  if (f.owner !== 'crm' && c.crmContactId) {
    await crm.updateContact(c.crmContactId, f.field === 'email' ? { email: f.value! } : splitName(f.value));
  }
  if (f.owner !== 'payments' && c.paymentsCustomerId) {
    await payments.updateCustomer(c.paymentsCustomerId, f.field === 'email' ? { email: f.value! } : { name: f.value }, `${runId}:${c.id}:${f.field}`);
  }
}
