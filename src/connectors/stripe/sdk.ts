// The `stripe` SDK (about 220 modules) loads at this connector's first call or first webhook, not
// at start. The error classifier asks for the module once loaded: an SDK error can only come from
// a call, and a call has loaded it.
import type Stripe from 'stripe';
import { lazyModule } from '../lazy.ts';

const sdk = lazyModule<typeof Stripe>(() => import('stripe').then((m) => m.default));

export const loadStripeSdk = sdk.load;
/** The SDK when a call has loaded it; undefined before any. */
export const loadedStripeSdk = sdk.loaded;
