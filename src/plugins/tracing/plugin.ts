// One SERVER span per GraphQL operation (continuing the caller's trace when it sends a W3C
// traceparent) and one CLIENT span per connector call under it. Connector spans are made from
// the pipeline's call events after the fact, with the call's real start time: the pipeline
// needs no tracing code, and the span's parent is found through the operation scope the call
// ran in. Attributes carry names and outcomes only, never variables or results.
import type { ApolloServerPlugin } from '@apollo/server';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Context } from '../../context.ts';
import { currentScope, type OperationScope } from '../../pipeline/scope.ts';
import { responseOutcome } from '../../ops/outcome.ts';
import type { TracingPluginOptions } from './options.ts';

const propagator = new W3CTraceContextPropagator();
const headerGetter: TextMapGetter<{ get(name: string): string | undefined }> = {
  keys: () => ['traceparent', 'tracestate'],
  get: (carrier, key) => carrier.get(key),
};

export function tracingPlugin(o: TracingPluginOptions): ApolloServerPlugin<Context> & { close(): void } {
  const spans = new WeakMap<OperationScope, Span>();
  const unsubscribe = o.pipeline.onEvent((e) => {
    const scope = currentScope();
    const parent = scope ? spans.get(scope) : undefined;
    const end = Date.now();
    const span = o.tracer.startSpan(
      `${e.connector} ${e.operation}`,
      {
        kind: SpanKind.CLIENT,
        startTime: end - e.latencyMs,
        attributes: { 'switchyard.connector': e.connector, 'switchyard.operation': e.operation, 'switchyard.attempts': e.attempts, 'switchyard.outcome': e.outcome, 'switchyard.cache_hit': e.cacheHit },
      },
      parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT,
    );
    if (e.outcome !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: e.outcome });
    span.end(end);
  });
  return {
    close: unsubscribe,
    async requestDidStart(rc) {
      const headers = rc.request.http?.headers;
      const parent = headers ? propagator.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
      const span = o.tracer.startSpan('graphql.operation', { kind: SpanKind.SERVER, attributes: { 'switchyard.request_id': rc.contextValue.requestId } }, parent);
      if (rc.contextValue.scope) spans.set(rc.contextValue.scope, span);
      return {
        async didResolveOperation(r) {
          const type = r.operation?.operation ?? 'unknown';
          const name = r.operationName ?? 'anonymous';
          span.updateName(`${type} ${name}`);
          span.setAttributes({ 'graphql.operation.type': type, 'graphql.operation.name': name });
        },
        async willSendResponse(r) {
          const { errors, outcome } = responseOutcome(r.response);
          span.setAttribute('switchyard.outcome', outcome);
          if (errors.length) span.setStatus({ code: SpanStatusCode.ERROR, message: [...new Set(errors.map((e) => e.code))].join(',') });
          span.end();
        },
      };
    },
  };
}
