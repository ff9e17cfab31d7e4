// OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans are batched and
// sent over OTLP/HTTP to <endpoint>/v1/traces. The provider is this server's own (not the
// global one), so several servers in a process never share or clobber each other's exporter.
// Outbound HTTP requests are traced too while any server's tracing is on (outbound.ts).
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { instrumentOutbound } from './outbound.ts';

export interface Tracing {
  tracer: Tracer;
  /** Sends what is batched. */
  flush(): Promise<void>;
  /** Flushes, then stops exporting. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  endpoint: string;
  headers: Record<string, string>;
  serviceName: string;
  /** How long spans wait in the batch before they are sent (default 1 s). */
  exportDelayMs?: number;
}

export function startTracing(o: TracingOptions): Tracing {
  const exporter = new OTLPTraceExporter({ url: `${o.endpoint.replace(/\/+$/, '')}/v1/traces`, headers: o.headers });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': o.serviceName }),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: o.exportDelayMs ?? 1_000 })],
  });
  const release = instrumentOutbound();
  return {
    tracer: provider.getTracer('switchyard'),
    flush: () => provider.forceFlush(),
    shutdown: () => {
      release();
      return provider.shutdown();
    },
  };
}
