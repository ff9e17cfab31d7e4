export { inboundRateLimitPlugin } from './plugin.ts';
export { INBOUND_DEFAULTS, type InboundRateLimitOptions } from './options.ts';
