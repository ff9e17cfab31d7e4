// The operation's SERVER span, started around the whole HTTP request rather than in a plugin
// hook: Apollo's hooks are called, not wrapped around what follows, so a span started in
// requestDidStart could never be the active context while resolvers (and the fetches they cause)
// run. server.ts runs each /graphql request through `aroundRequest`; the plugin names the span
// and records its outcome once Apollo knows them.
import type { IncomingHttpHeaders } from 'node:http';
import {
  context,
  createContextKey,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { withTracer } from '../../ops/outbound.ts';

const OPERATION = createContextKey('switchyard.operation');
const propagator = new W3CTraceContextPropagator();

/** The context of a caller's traceparent (and tracestate), or the root one. */
export function callerContext(headers: IncomingHttpHeaders): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** The operation span started by `aroundRequest` in this context, if any. */
export function operationSpan(ctx: Context = context.active()): Span | undefined {
  return ctx.getValue(OPERATION) as Span | undefined;
}

export async function aroundRequest<T>(tracer: Tracer, headers: IncomingHttpHeaders, fn: () => T): Promise<Awaited<T>> {
  const parent = callerContext(headers);
  const span = tracer.startSpan('graphql.operation', { kind: SpanKind.SERVER }, parent);
  try {
    return await context.with(withTracer(trace.setSpan(parent, span), tracer).setValue(OPERATION, span), fn);
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'request failed' });
    throw err;
  } finally {
    span.end();
  }
}
