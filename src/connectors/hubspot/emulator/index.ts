// A local stand-in for HubSpot CRM v3 contacts, faithful enough for @hubspot/api-client.
import { Emulator, type EmuRequest, type EmuResponse, type Handler, type Route } from '../../../emulators/http.ts';
import { seedCustomers, type SeedCustomer } from '../../../demo/seed.ts';
import { contactRoutes } from './contacts.ts';
import { AUTH_MISSING_MESSAGE, errorBody, fail } from './errors.ts';
import { HubspotEvents, hubspotSender } from './events.ts';
import { DEFAULT_RATE_LIMIT, DEFAULT_SEARCH_RATE_LIMIT, HubspotLimits, type RateLimitConfig } from './ratelimit.ts';
import { propertyRoutes } from './properties.ts';
import { searchRoute } from './search.ts';
import { ContactStore } from './store.ts';

export type { RateLimitConfig } from './ratelimit.ts';

export interface HubspotEmulatorOptions {
  customers?: SeedCustomer[];
  /** The ten-second burst window (default 190 per 10 s); false disables all rate limiting. */
  rateLimit?: RateLimitConfig | false;
  /** The search endpoints' own window (default 5 per second); false disables it. */
  searchRateLimit?: RateLimitConfig | false;
}

/** A token of exactly 'expired' stands for an OAuth token that has run out. */
function authFailure(req: EmuRequest): EmuResponse | undefined {
  const header = req.headers.authorization ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) return fail(401, 'INVALID_AUTHENTICATION', AUTH_MISSING_MESSAGE);
  if (token === 'expired') {
    return fail(401, 'EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired 1 hour(s) ago.', {
      context: { 'expire time': [new Date(Date.now() - 3_600_000).toISOString()] },
    });
  }
  return undefined;
}

/** Renames contact properties and moves `results` under `data`, as an unannounced API change might. */
function drift(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const rename: Record<string, string> = { firstname: 'first_name', lastname: 'last_name', lifecyclestage: 'lifecycle_stage' };
  const fixObject = (o: Record<string, unknown>): Record<string, unknown> => {
    if (typeof o.properties !== 'object' || o.properties === null) return o;
    const props = Object.fromEntries(Object.entries(o.properties as Record<string, unknown>).map(([k, v]) => [rename[k] ?? k, v]));
    return { ...o, properties: props };
  };
  const out = fixObject({ ...(body as Record<string, unknown>) });
  if (Array.isArray(out.results)) {
    out.data = (out.results as Record<string, unknown>[]).map(fixObject);
    delete out.results;
  }
  return out;
}

/** POST /__control/webhooks/emit: `count` job title changes spread over the live contacts, one propertyChange each. */
function burstOf(store: ContactStore, events: HubspotEvents): (count: number, kind?: string) => number {
  let cursor = 0;
  let sequence = 0;
  return (count, kind = 'propertyChange') => {
    if (kind !== 'propertyChange') throw new Error(`Unknown emit kind '${kind}': only propertyChange`);
    const contacts = store.all();
    if (!contacts.length) throw new Error('No contacts to change');
    for (let i = 0; i < count; i++) {
      const c = contacts[cursor++ % contacts.length]!;
      const before = { jobtitle: c.properties.jobtitle };
      store.update(c, { jobtitle: `Emulated title ${++sequence}` });
      events.changed(c, before);
    }
    return count;
  };
}

export function createHubspotEmulator(options: HubspotEmulatorOptions = {}): Emulator {
  const store = new ContactStore(options.customers ?? seedCustomers());
  const rateLimit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  const searchLimit = rateLimit === false ? false : (options.searchRateLimit ?? DEFAULT_SEARCH_RATE_LIMIT);
  const limits = new HubspotLimits(rateLimit, searchLimit);
  const events = new HubspotEvents(hubspotSender());
  const burst = burstOf(store, events);

  // HubSpot authenticates before it counts a request against the app's limits.
  const guard =
    (handler: Handler): Handler =>
    (req) =>
      authFailure(req) ?? limits.rejection(req) ?? handler(req);
  const routes: Route[] = [searchRoute(store), ...contactRoutes(store, events), ...propertyRoutes(store)].map((r) => ({ ...r, handler: guard(r.handler) }));

  return new Emulator({
    name: 'hubspot',
    routes,
    errorBody,
    drift,
    commonHeaders: (req) => (authFailure(req) ? {} : limits.headers(req)),
    reset() {
      store.reset();
      limits.reset();
    },
    webhooks: { sender: events.sender, emit: (count, kind) => burst(count, kind) },
    snapshot: () => store.snapshot(),
    restore: (state) => store.restore(state as ReturnType<ContactStore['snapshot']>),
  });
}
