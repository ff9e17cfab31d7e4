// Demo mode: one API key per role at every start, printed in the banner so a Sandbox user can
// paste one into a header. The previous session's demo keys are revoked first (by their name
// prefix), so the table does not grow and an old banner's keys stop working.
import type { Store } from '../connectors/store/index.ts';
import type { ApiKeys, IssueKeyInput } from './apiKeys.ts';

export const DEMO_KEY_PREFIX = 'demo:';

/** The demo customer key's customer: it has payments, a refund and a CRM contact to look at. */
const DEMO_CUSTOMER = 'cust_demo0005';

export interface DemoKey {
  role: IssueKeyInput['role'];
  key: string;
  note: string;
}

export async function issueDemoKeys(apiKeys: ApiKeys, store: Store): Promise<DemoKey[]> {
  await store.apiKeys.revokeByNamePrefix(DEMO_KEY_PREFIX);
  const [seeded] = await store.customers.byIds([DEMO_CUSTOMER]);
  const customer = seeded ?? (await store.customers.list({ first: 1 })).edges[0]?.node;
  const wanted: (IssueKeyInput & { note: string })[] = [
    { role: 'admin', name: 'admin', note: 'everything' },
    { role: 'operator', name: 'operator', note: 'reads and mutations, PII, AI completions' },
    { role: 'app', name: 'app', note: 'reads, no PII (email and names are FORBIDDEN)' },
    ...(customer ? [{ role: 'customer' as const, name: 'customer', customerId: customer.id, note: `only customer ${customer.id}, its payments and contact` }] : []),
    { role: 'service', name: 'service', scopes: ['customers:read', 'payments:read'], note: 'scopes customers:read payments:read' },
  ];
  const out: DemoKey[] = [];
  for (const { note, ...input } of wanted) {
    const { key } = await apiKeys.issue({ ...input, name: `${DEMO_KEY_PREFIX}${input.name}` });
    out.push({ role: input.role, key, note });
  }
  return out;
}

export function demoKeysBanner(keys: DemoKey[]): string {
  if (!keys.length) return '';
  const lines = [
    '  API keys for this demo session (replaced at the next start). In Apollo Sandbox, open',
    '  Headers and add  X-Api-Key: <key>  (or Authorization: Bearer <key>):',
    ...keys.map((k) => `    ${k.role.padEnd(9)} ${k.key}  ${k.note}`),
    '  Without a key you are anonymous: every field answers UNAUTHENTICATED.',
  ];
  return lines.join('\n') + '\n';
}
