// Options of the tracing plugin.
import type { Tracer } from '@opentelemetry/api';
import type { Pipeline } from '../../pipeline/index.ts';

export interface TracingPluginOptions {
  tracer: Tracer;
  /** Its call events become child spans of the operation that caused them. */
  pipeline: Pipeline;
}
