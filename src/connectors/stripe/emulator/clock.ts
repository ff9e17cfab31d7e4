// /__control/clock: the emulated account's clock, for tests that need objects made on other days
// (a report per day). Like a Stripe test clock, time stands still at `frozen_time` until it is
// moved or released; every object and event made meanwhile carries it as `created`, so lists,
// `created` filters and webhooks agree with each other as they would on Stripe.
import type { EmuRequest, EmuResponse } from '../../../emulators/http.ts';
import type { StripeStore } from './store.ts';

const body = (store: StripeStore): EmuResponse => ({ status: 200, body: { object: 'clock', frozen_time: store.frozenTime } });

/** GET: the clock; POST `{ "frozen_time": <unix seconds> | null }`: freeze it there (null: real time); DELETE: real time. */
export function clockControl(store: StripeStore, req: EmuRequest): EmuResponse | undefined {
  if (req.path !== '/__control/clock') return undefined;
  if (req.method === 'GET') return body(store);
  if (req.method === 'DELETE') {
    store.frozenTime = null;
    return body(store);
  }
  if (req.method !== 'POST') return undefined;
  let at: unknown;
  try {
    at = (JSON.parse(req.rawBody || '{}') as { frozen_time?: unknown }).frozen_time;
  } catch {
    return { status: 400, body: { error: { message: 'The body is not JSON' } } };
  }
  if (at !== null && !(Number.isInteger(at) && (at as number) > 0)) {
    return { status: 400, body: { error: { message: 'frozen_time must be a Unix time in seconds, or null' } } };
  }
  store.frozenTime = at as number | null;
  return body(store);
}
