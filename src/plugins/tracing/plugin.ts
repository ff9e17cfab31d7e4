// One SERVER span per GraphQL operation (continuing the caller's trace when it sends a W3C
// traceparent), with a span per connector call under it (calls.ts) and, under each call, a
// CLIENT span per HTTP request (src/ops/outbound.ts). Over HTTP the span is started around the
// request (request.ts) so it is the active context while resolvers run; this plugin names it
// and records the outcome. An operation run without it (executeOperation) gets a span of its
// own here, which its calls cannot find. Attributes carry names and outcomes only, never
// variables, results or headers.
import type { IncomingHttpHeaders } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Context } from '../../context.ts';
import { responseOutcome } from '../../ops/outcome.ts';
import { traceCalls } from './calls.ts';
import type { TracingPluginOptions } from './options.ts';
import { aroundRequest, callerContext, operationSpan } from './request.ts';

export interface TracingPlugin extends ApolloServerPlugin<Context> {
  /** Runs one HTTP request inside its operation's span. */
  aroundRequest<T>(headers: IncomingHttpHeaders, fn: () => T): Promise<Awaited<T>>;
  close(): void;
}

export function tracingPlugin(o: TracingPluginOptions): TracingPlugin {
  const close = traceCalls(o.tracer, o.pipeline);
  return {
    close,
    aroundRequest: (headers, fn) => aroundRequest(o.tracer, headers, fn),
    async requestDidStart(rc) {
      const started = operationSpan();
      const headers = rc.request.http ? Object.fromEntries(rc.request.http.headers) : {};
      const span = started ?? o.tracer.startSpan('graphql.operation', { kind: SpanKind.SERVER }, callerContext(headers));
      span.setAttribute('switchyard.request_id', rc.contextValue.requestId);
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
          if (!started) span.end();
        },
      };
    },
  };
}
