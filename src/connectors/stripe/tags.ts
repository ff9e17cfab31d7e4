// Cache tags for Stripe reads: a write names the tags it makes stale (see pipeline CallOptions).
export const customerTag = (paymentsCustomerId: string) => `stripe:customer:${paymentsCustomerId}`;
export const paymentTag = (paymentIntentId: string) => `stripe:payment:${paymentIntentId}`;
