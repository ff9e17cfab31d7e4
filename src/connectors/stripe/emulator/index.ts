// A local emulator of the Stripe REST API (customers, payment intents, charges, refunds),
// wire-compatible with the official `stripe` SDK pointed at it with host/port/protocol.
import { Emulator } from '../../../emulators/http.ts';
import { seedCustomers, type SeedCustomer } from '../../../demo/seed.ts';
import { StripeApi } from './api.ts';
import { StripeBurst } from './burst.ts';
import { clockControl } from './clock.ts';
import { StripeEvents, stripeSender } from './events.ts';
import { errorBodyFor } from './errors.ts';
import { chargeRefundRoutes } from './routes-charges-refunds.ts';
import { customerRoutes } from './routes-customers.ts';
import { paymentIntentRoutes } from './routes-payment-intents.ts';
import { StripeStore, type StripeState } from './store.ts';
import type { Saved } from './idempotency.ts';
import type { StripeRateLimit } from './ratelimit.ts';

export interface StripeEmulatorOptions {
  customers?: SeedCustomer[];
  /** Requests per second per API key (default Stripe's: 100 live, 25 test); false disables it. */
  rateLimit?: StripeRateLimit | false;
}

function driftObject(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'amount') out.amount_cents = v;
    else if (k === 'created' && typeof v === 'number') out.created = new Date(v * 1000).toISOString();
    else out[k] = v;
  }
  return out;
}

/** The kind of unannounced change a provider ships: `amount` renamed, `created` as an ISO string. */
export function driftStripeBody(body: unknown): unknown {
  const b = body as { object?: unknown; data?: unknown } | null;
  if (b && (b.object === 'list' || b.object === 'search_result') && Array.isArray(b.data)) {
    return { ...b, data: b.data.map(driftObject) };
  }
  return driftObject(body);
}

export function createStripeEmulator(options: StripeEmulatorOptions = {}): Emulator {
  const store = new StripeStore(options.customers ?? seedCustomers(200));
  const events = new StripeEvents(stripeSender(), () => store.now());
  const api = new StripeApi(store, events, options.rateLimit);
  const burst = new StripeBurst(store, events.forRequest(null));
  return new Emulator({
    name: 'stripe',
    // Literal paths (`/search`) come before `/:id` because routes match in order.
    routes: [...customerRoutes(api), ...paymentIntentRoutes(api), ...chargeRefundRoutes(api)],
    errorBody: errorBodyFor,
    webhooks: { sender: events.sender, emit: (count, kind) => burst.emit(count, kind) },
    drift: driftStripeBody,
    commonHeaders: (req) => api.commonHeaders(req),
    control: (req) => clockControl(store, req),
    reset: () => {
      store.reset();
      api.idempotency.clear();
      api.limiter.reset();
    },
    snapshot: () => ({ store: store.snapshot(), idempotency: api.idempotency.entries() }),
    restore: (state) => {
      const s = state as { store: StripeState; idempotency: [string, Saved][] };
      store.restore(s.store);
      api.idempotency.load(s.idempotency);
    },
  });
}
