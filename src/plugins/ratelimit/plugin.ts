// Inbound rate limit per principal, weighted by operation cost. Runs once per operation after
// it is parsed and validated (its cost is known then) and before any resolver runs; a refused
// operation gets HTTP 429 with Retry-After and a RATE_LIMITED error carrying retryAfterMs.
import type { ApolloServerPlugin } from '@apollo/server';
import { BurstyRateLimiter } from 'rate-limiter-flexible';
import type { Context } from '../../context.ts';
import { ErrorCode, codedError } from '../../errors/index.ts';
import { createLimiter, tryConsume } from '../../pipeline/limiter.ts';
import type { InboundRateLimitOptions } from './options.ts';

export function inboundRateLimitPlugin(options: InboundRateLimitOptions): ApolloServerPlugin<Context> {
  const main = createLimiter(options.redis, { keyPrefix: 'inbound', points: options.points, durationMs: options.windowMs });
  const burst = createLimiter(options.redis, { keyPrefix: 'inbound-burst', points: Math.max(1, options.burst), durationMs: options.windowMs });
  const limiter = options.burst > 0 ? new BurstyRateLimiter(main, burst) : main;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue }) {
          const who = contextValue.principal.role === 'anonymous' ? `ip:${contextValue.clientIp ?? 'unknown'}` : contextValue.principal.id;
          // An operation never costs more than a fresh allowance grants at once, so a single large
          // one can still run once (the bursty limiter tries the window, then the burst, each whole).
          const cost = Math.min(Math.max(1, contextValue.operationCost ?? 1), Math.max(options.points, options.burst));
          const { waitMs } = await tryConsume(limiter, who, cost);
          if (waitMs === 0) return;
          const seconds = Math.ceil(waitMs / 1000);
          throw codedError(ErrorCode.RATE_LIMITED, `Rate limit exceeded: try again in ${seconds} s`, {
            retryAfterMs: waitMs,
            limit: { points: options.points, burst: options.burst, windowMs: options.windowMs, cost },
            http: { status: 429, headers: new Map([['retry-after', String(seconds)]]) },
          });
        },
      };
    },
  };
}
