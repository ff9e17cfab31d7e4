// A streamed upstream answer through the pipeline. The pipeline's call covers the part a plain
// call has: quota, bulkhead, breaker and deadline up to the response's first chunk, so a provider
// that is down, slow or refusing fails there and the AI router may still ask the next link. What
// follows is read outside it, with an idle deadline between chunks. The upstream request has its
// own AbortController: the attempt's deadline must not end the stream once it flows, the
// caller's signal and an early end of the iteration must. (No library covers this split; each
// SDK's own timeout would cut a long stream or never fire between chunks.)
import { z } from 'zod';
import { UpstreamError } from '../errors/upstream.ts';
import type { Pipeline } from '../pipeline/index.ts';
import type { StreamChunk } from './domain/ai.ts';

export interface PipedStream<R> {
  call: ReturnType<Pipeline['for']>;
  connector: string;
  operation: string;
  /** No chunk within this many ms after the first: a timeout. */
  idleMs: number;
  /** Aborts the upstream request mid-stream (the client went away). */
  signal: AbortSignal;
  /** Opens the SDK's stream (e.g. `create({ stream: true }, { signal })`). */
  open: (signal: AbortSignal) => Promise<AsyncIterable<R>>;
  /** One raw event as a chunk, or null for events that carry nothing we read. */
  read: (raw: R) => StreamChunk | null;
  classify: (err: unknown) => UpstreamError;
}

const Opened = z.custom<{ it: AsyncIterator<unknown>; first: IteratorResult<unknown> }>((v) => typeof v === 'object' && v !== null && 'it' in v);

export async function* pipedStream<R>(o: PipedStream<R>): AsyncGenerator<StreamChunk> {
  const upstream = new AbortController();
  const follow = () => upstream.abort(o.signal.reason);
  if (o.signal.aborted) follow();
  else o.signal.addEventListener('abort', follow, { once: true });
  let it: AsyncIterator<R> | undefined;
  try {
    const opened = await o.call(o.operation, { idempotent: false, schema: Opened }, async (attempt) => {
      const cut = () => upstream.abort(attempt.reason);
      attempt.addEventListener('abort', cut, { once: true });
      try {
        const iterator = (await o.open(upstream.signal))[Symbol.asyncIterator]();
        return { it: iterator, first: await iterator.next() };
      } finally {
        attempt.removeEventListener('abort', cut);
      }
    });
    it = opened.it as AsyncIterator<R>;
    let next = opened.first as IteratorResult<R>;
    while (!next.done) {
      const chunk = o.read(next.value);
      if (chunk) yield chunk;
      next = await idle(it.next(), o.idleMs, upstream, o);
    }
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    throw o.classify(err);
  } finally {
    o.signal.removeEventListener('abort', follow);
    // Ends the upstream request when the reader stopped early (a `return()` lands here too).
    if (!upstream.signal.aborted) upstream.abort();
    await it?.return?.().catch(() => undefined);
  }
}

async function idle<T>(next: Promise<T>, ms: number, upstream: AbortController, o: { connector: string; operation: string }): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      upstream.abort();
      reject(new UpstreamError({ connector: o.connector, operation: o.operation, kind: 'timeout', message: `No stream chunk within ${ms} ms` }));
    }, ms);
  });
  try {
    return await Promise.race([next, late]);
  } finally {
    clearTimeout(timer);
  }
}
