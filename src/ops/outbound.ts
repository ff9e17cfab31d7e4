// Outbound HTTP tracing: every fetch (every connector client uses Node's fetch, i.e. undici)
// becomes a CLIENT span under the span active when it was made, and
// carries a W3C traceparent to the upstream. @opentelemetry/instrumentation-undici does the work;
// this file is the glue, and exists because three things are process-wide here while tracing is
// per server: the undici diagnostics channels, the context manager and the propagator. They are
// set up when the first server with tracing starts and removed when the last one stops, so with
// tracing off nothing is patched.
import {
  context,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  propagation,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

const TRACER = createContextKey('switchyard.tracer');

/** `ctx` with the tracer that owns the work done in it: that server's HTTP spans go to its exporter. */
export function withTracer(ctx: Context, tracer: Tracer): Context {
  return ctx.setValue(TRACER, tracer);
}

// The instrumentation is one per process and asks one tracer for every span. This one hands each
// request to the tracer of the operation or call it is made in; outside any, no span is made and
// no traceparent sent (an invalid span context is never propagated).
const routing: Tracer = {
  startSpan(name: string, options?: SpanOptions, ctx: Context = context.active()): Span {
    const owner = ctx.getValue(TRACER) as Tracer | undefined;
    return owner ? owner.startSpan(name, options, ctx) : trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
  },
  startActiveSpan: ((name: string, ...rest: unknown[]) => {
    const fn = rest.pop() as (span: Span) => unknown;
    const [options, ctx = context.active()] = rest as [SpanOptions | undefined, Context | undefined];
    const span = routing.startSpan(name, options, ctx);
    return context.with(trace.setSpan(ctx, span), fn, undefined, span);
  }) as Tracer['startActiveSpan'],
};
const routingProvider: TracerProvider = { getTracer: () => routing };

// Query strings can carry search terms, emails or ids (searches, list filters): a span keeps
// the path only. No header is recorded (the instrumentation records none unless asked, and
// Authorization is never asked for); the user agent, which it does record, names the SDK only.
function withoutQuery(request: { origin: string; path: string }) {
  const url = new URL(request.path, request.origin);
  url.search = '';
  return { 'url.full': url.toString(), 'url.query': undefined };
}

let undici: UndiciInstrumentation | undefined;
let users = 0;
let owned = { contextManager: false, propagator: false };

/** Turns outbound HTTP tracing on for this process; the function returned turns it off again (for this caller). */
export function instrumentOutbound(): () => void {
  if (users++ === 0) {
    owned = {
      // A host application's own context manager and propagator, if it set them, are kept.
      contextManager: context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()),
      propagator: propagation.setGlobalPropagator(new W3CTraceContextPropagator()),
    };
    if (undici) undici.enable();
    else undici = new UndiciInstrumentation({ startSpanHook: withoutQuery });
    undici.setTracerProvider(routingProvider);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--users > 0) return;
    undici?.disable();
    if (owned.contextManager) context.disable();
    if (owned.propagator) propagation.disable();
  };
}
