// Cache tags for Stripe reads: a write names the tags it makes stale (see pipeline CallOptions).
export const customerTag = (stripeCustomerId: string) => `stripe:customer:${stripeCustomerId}`;
export const paymentTag = (paymentIntentId: string) => `stripe:payment:${paymentIntentId}`;
