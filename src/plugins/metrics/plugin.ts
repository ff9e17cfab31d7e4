// Operation metrics: latency by name, type and outcome, errors by code, inbound rate-limit
// refusals. Connector calls are counted from the pipeline's events (every call, whichever
// operation made it), and AI tokens and cost from the AI usage log (whichever transport), not here.
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context.ts';
import { responseOutcome } from '../../ops/outcome.ts';
import type { AiUsageRecord } from '../../pipeline/scope.ts';
import type { Metrics } from './registry.ts';

export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<Context> {
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
        },
      };
    },
  };
}

/** One AI call's tokens and cost (the AI usage log calls this for every call, HTTP or WebSocket). */
export function countAiUsage(metrics: Metrics, a: AiUsageRecord): void {
  const model = metrics.modelNames.label(a.model);
  const labels = { provider: a.provider, model };
  metrics.aiTokens.inc({ ...labels, kind: 'prompt' }, a.promptTokens);
  metrics.aiTokens.inc({ ...labels, kind: 'completion' }, a.completionTokens);
  if (a.cachedTokens) metrics.aiTokens.inc({ ...labels, kind: 'cached' }, a.cachedTokens);
  if (a.reasoningTokens) metrics.aiTokens.inc({ ...labels, kind: 'reasoning' }, a.reasoningTokens);
  metrics.aiCost.inc({ ...labels, priced: a.costUsd === null ? 'false' : 'true' }, a.costUsd ?? 0);
  // Capabilities are AI_CONFIG's names, a bounded set, so they need no cap.
  metrics.aiCalls.inc({ capability: a.capability, provider: a.provider, via: a.via });
}
