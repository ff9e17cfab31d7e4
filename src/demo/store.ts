// Demo mode's customers in the store: the seed's people, already linked to their emulated
// payments customer and CRM contact. The store knows nothing of the seed; demo mode calls this.
import type { Store } from '../connectors/store/index.ts';
import { seedCustomers } from './seed.ts';

export async function seedDemoCustomers(store: Store, count = 200): Promise<number> {
  const rows = seedCustomers(count).map((c) => ({
    id: c.id,
    email: c.email,
    name: `${c.firstName} ${c.lastName}`,
    createdAt: new Date(c.created * 1000),
    paymentsCustomerId: c.paymentsId,
    crmContactId: c.crmId,
    crmLifecycleStage: c.lifecycleStage,
  }));
  return store.customers.insertLinked(rows);
}
