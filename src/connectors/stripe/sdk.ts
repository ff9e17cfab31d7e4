// The `stripe` SDK (about 220 modules) loads at this connector's first call or first webhook, not
// at start. The error classifier asks for the module once loaded: an SDK error can only come from
// a call, and a call has loaded it.
import type Stripe from 'stripe';

type Sdk = typeof Stripe;
let sdk: Sdk | undefined;
let loading: Promise<Sdk> | undefined;

export function loadStripeSdk(): Promise<Sdk> {
  return (loading ??= import('stripe').then((m) => (sdk = m.default)));
}

/** The SDK when a call has loaded it; undefined before any. */
export function loadedStripeSdk(): Sdk | undefined {
  return sdk;
}
