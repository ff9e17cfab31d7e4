// Operation metrics: latency by name, type and outcome, errors by code, inbound rate-limit
// refusals, and the AI tokens and cost each operation caused. Connector calls are counted from
// the pipeline's events (every call, whichever operation made it), not here.
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context.ts';
import { responseOutcome } from '../../ops/outcome.ts';
import type { PriceTable } from '../../ops/prices.ts';
import type { Metrics } from './registry.ts';

export function metricsPlugin(metrics: Metrics, prices: PriceTable): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(rc) {
          const { executed, errors, outcome } = responseOutcome(rc.response);
          // Only a resolved operation has a trustworthy name; anything else is "unknown".
          const name = rc.operation ? metrics.operationNames.label(rc.operationName ?? 'anonymous') : 'unknown';
          const type = rc.operation?.operation ?? 'unknown';
          metrics.operationDuration.observe({ operation_name: name, operation_type: type, outcome }, (performance.now() - started) / 1000);
          for (const e of errors) metrics.errors.inc({ code: e.code });
          if (!executed && errors.some((e) => e.code === 'RATE_LIMITED')) metrics.rateLimited.inc({ limit: 'inbound', connector: '' });
          for (const a of rc.contextValue.scope?.ai ?? []) {
            const model = metrics.modelNames.label(a.model);
            metrics.aiTokens.inc({ provider: a.provider, model, kind: 'prompt' }, a.promptTokens);
            metrics.aiTokens.inc({ provider: a.provider, model, kind: 'completion' }, a.completionTokens);
            const cost = prices.cost(a.model, a.promptTokens, a.completionTokens);
            metrics.aiCost.inc({ provider: a.provider, model, priced: cost === null ? 'false' : 'true' }, cost ?? 0);
          }
        },
      };
    },
  };
}
