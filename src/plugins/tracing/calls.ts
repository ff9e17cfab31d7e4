// One span per pipeline call, around all its attempts: the HTTP spans of the attempts (made by
// the undici instrumentation, src/ops/outbound.ts) are its children, so a retried call shows as
// one call with several requests under it. A call made for an operation is a child of the
// operation's span; one made off the request path (jobs, workflows, alerts) starts its own trace.
// How the call ended is filled in from the pipeline's own event, which it emits while the call's
// context is still active.
import { context, createContextKey, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { Pipeline } from '../../pipeline/index.ts';
import { withTracer } from '../../ops/outbound.ts';

const CALL = createContextKey('switchyard.call');

/** Traces every call of `pipeline` with `tracer`; returns the function that stops it. */
export function traceCalls(tracer: Tracer, pipeline: Pipeline): () => void {
  pipeline.wrapCalls((connector, operation, run) => {
    const parent = context.active();
    const span = tracer.startSpan(
      `${connector} ${operation}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: { 'switchyard.connector': connector, 'switchyard.operation': operation },
      },
      parent,
    );
    const ctx = withTracer(trace.setSpan(parent, span), tracer).setValue(CALL, span);
    return context.with(ctx, run).finally(() => span.end());
  });
  const unsubscribe = pipeline.onEvent((e) => {
    const span = context.active().getValue(CALL) as Span | undefined;
    if (!span) return;
    span.setAttributes({ 'switchyard.attempts': e.attempts, 'switchyard.outcome': e.outcome, 'switchyard.cache_hit': e.cacheHit, 'switchyard.stale': e.stale });
    if (e.outcome !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: e.outcome });
  });
  return () => {
    pipeline.wrapCalls(undefined);
    unsubscribe();
  };
}
