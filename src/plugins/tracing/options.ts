// Options of the tracing plugin.
import type { Tracer } from '@opentelemetry/api';
import type { Pipeline } from '../../pipeline/index.ts';

export interface TracingPluginOptions {
  tracer: Tracer;
  /** Each of its calls becomes a span, with the HTTP requests of its attempts under it. */
  pipeline: Pipeline;
}
