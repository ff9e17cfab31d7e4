export { inboundRateLimitPlugin } from './plugin.ts';
export type { InboundRateLimitOptions } from './options.ts';
