// Demo mode: one API key per role for this process's session, printed in the banner so a Sandbox
// user can paste one into a header. Demo keys must never open a real deployment, so:
//   - they are issued only by a process in demo mode (every provider emulated, not production)
//     on a store no other kind of process has served (a store that has is marked "live");
//   - they are stored as kind 'demo' with an expiry the session pushes forward every third of
//     DEMO_KEY_TTL_SECONDS, revoked when the session stops, and dead a TTL after a crash;
//   - every process not in demo mode refuses them (ApiKeys), and revokes any it finds at start.
import type { Logger } from 'pino';
import { isFullDemo } from '../demo/mode.ts';
import type { Config } from '../config.ts';
import type { Store } from '../connectors/store/index.ts';
import type { ApiKeys, IssueKeyInput } from './apiKeys.ts';

/** The demo customer key's customer: it has payments, a refund and a CRM contact to look at. */
const DEMO_CUSTOMER = 'cust_demo0005';

/** Set in deployment_state by the first process not in demo mode that starts on a store. */
export const LIVE_MARK = 'live_since';

export interface DemoKey {
  role: IssueKeyInput['role'];
  key: string;
  note: string;
}

export interface DemoSession {
  keys: DemoKey[];
  /** Why no keys were issued, when none were. */
  withheld?: string;
  /** Stops renewing and revokes this session's keys. */
  stop(): Promise<void>;
}

/** Demo mode: every provider is emulated and this is not production. Only then are demo keys issued or accepted. */
export function isDemoProcess(config: Config): boolean {
  return config.env !== 'production' && isFullDemo(config);
}

/** For a process not in demo mode: mark its store live and revoke any demo key in it. */
export async function claimLiveStore(store: Store, logger: Logger): Promise<void> {
  await store.deployment.getOrCreate(LIVE_MARK, () => new Date().toISOString());
  const revoked = await store.apiKeys.revokeAllDemo();
  if (revoked) logger.warn({ revoked }, 'revoked demo API keys found in this store: this process is not in demo mode');
}

export async function startDemoSession(apiKeys: ApiKeys, store: Store, opts: { ttlSeconds: number; logger: Logger }): Promise<DemoSession> {
  const withheld = (since: string): DemoSession => ({
    keys: [],
    withheld: `this store has served a Switchyard not in demo mode (since ${since})`,
    stop: async () => {},
  });
  const live = await store.deployment.get(LIVE_MARK);
  if (live) return withheld(live);
  await store.apiKeys.purgeDemo();
  const [seeded] = await store.customers.byIds([DEMO_CUSTOMER]);
  const customer = seeded ?? (await store.customers.list({ first: 1 })).edges[0]?.node;
  const wanted: (IssueKeyInput & { note: string })[] = [
    { role: 'admin', name: 'admin', note: 'everything' },
    { role: 'operator', name: 'operator', note: 'reads and mutations, PII, AI completions' },
    { role: 'app', name: 'app', note: 'reads, no PII (email and names are FORBIDDEN)' },
    ...(customer
      ? [{ role: 'customer' as const, name: 'customer', customerId: customer.id, note: `only customer ${customer.id}, its payments and contact` }]
      : []),
    { role: 'service', name: 'service', scopes: ['customers:read', 'payments:read'], note: 'scopes customers:read payments:read' },
  ];
  const keys: DemoKey[] = [];
  const ids: string[] = [];
  for (const { note, ...input } of wanted) {
    const { key, record } = await apiKeys.issue({ ...input, name: `demo:${input.name}`, demoTtlSeconds: opts.ttlSeconds });
    keys.push({ role: input.role, key, note });
    ids.push(record.id);
  }
  // Checked again after issuing: a live process marks the store before it revokes demo keys, so
  // either it revokes these or this sees its mark; no interleaving leaves them standing.
  const claimed = await store.deployment.get(LIVE_MARK);
  if (claimed) {
    await store.apiKeys.revokeMany(ids);
    return withheld(claimed);
  }
  // Renewed well before expiry, so one slow or failed round does not end the session; a key that
  // did expire (the store was away longer than a TTL) stays dead: restart for fresh keys.
  const renew = async () => {
    try {
      const renewed = await store.apiKeys.renewDemo(ids, opts.ttlSeconds);
      if (renewed < ids.length) opts.logger.warn({ renewed, issued: ids.length }, 'some demo API keys expired or were revoked; restart for new ones');
    } catch (err) {
      opts.logger.warn({ err }, 'could not renew the demo API keys');
    }
  };
  const timer = setInterval(() => void renew(), (opts.ttlSeconds * 1000) / 3);
  timer.unref();
  return {
    keys,
    async stop() {
      clearInterval(timer);
      await store.apiKeys.revokeMany(ids);
    },
  };
}

export function demoKeysBanner(session: DemoSession | undefined): string {
  if (session?.withheld) return `  No demo API keys: ${session.withheld}. Create one with \`switchyard keys create\`.\n`;
  if (!session?.keys.length) return '';
  const lines = [
    '  API keys for this demo session: they work only while this process runs, and only on a',
    '  Switchyard in demo mode. In Apollo Sandbox, open Headers and add  X-Api-Key: <key>',
    '  (or Authorization: Bearer <key>):',
    ...session.keys.map((k) => `    ${k.role.padEnd(9)} ${k.key}  ${k.note}`),
    '  Without a key you are anonymous: every field answers UNAUTHENTICATED.',
  ];
  return lines.join('\n') + '\n';
}
