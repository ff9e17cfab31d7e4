// The load of one case. Closed loop: autocannon on loopback, each connection sending its next
// request when it has its answer. Paced: fetch calls due at evenly spaced times (autocannon's own
// rate limit sends each connection's share in a burst at the start of every second, which
// measures bursts, not a rate). Both check response bodies for GraphQL
// errors: the first 50 (where a failure that trips a breaker shows), then every Nth.
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { requestBody, type Operation } from './operations.ts';

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  op: Operation;
  connections: number;
  durationS: number;
  /** Check the first 50 response bodies for `errors`, then every Nth (default 10). */
  sampleEvery?: number;
}

export interface LoadResult {
  /** Completed requests (answered within the run). */
  requests: number;
  /** Requests sent, including those still in flight when the run ended. */
  sent: number;
  durationS: number;
  rps: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  /** Connection errors, timeouts included. */
  socketErrors: number;
  timeouts: number;
  sampled: number;
  /** Sampled responses carrying GraphQL errors. */
  graphqlErrors: number;
  /** The first few distinct error messages (status or GraphQL), for the report. */
  errorSamples: string[];
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

class Sampler {
  sampled = 0;
  graphqlErrors = 0;
  non2xx = 0;
  private seen = 0;
  private readonly samples = new Set<string>();
  constructor(private readonly every: number) {}

  private note(msg: string): void {
    if (this.samples.size < 5) this.samples.add(msg.slice(0, 300));
  }

  check(status: number, body: string): void {
    if (status < 200 || status >= 300) {
      this.non2xx++;
      return this.note(`HTTP ${status}: ${body.slice(0, 200)}`);
    }
    if (this.seen++ >= 50 && this.seen % this.every !== 0) return;
    this.sampled++;
    if (!body.includes('"errors"')) return;
    this.graphqlErrors++;
    try {
      const e = (JSON.parse(body) as { errors?: { message?: string; extensions?: { code?: string } }[] }).errors?.[0];
      this.note(`${e?.extensions?.code ?? 'ERROR'}: ${e?.message ?? ''}`);
    } catch {
      this.note(body.slice(0, 200));
    }
  }

  failure(err: unknown): void {
    this.note(`request failed: ${(err as Error).message}`);
  }

  get errorSamples(): string[] {
    return [...this.samples];
  }
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const sampler = new Sampler(o.sampleEvery ?? 10);
  const onResponse = (status: number, body: string) => sampler.check(status, body);
  const request: autocannon.Request = o.op.perRequest
    ? { method: 'POST', setupRequest: (req) => ({ ...req, body: requestBody(o.op) }), onResponse }
    : { method: 'POST', body: requestBody(o.op), onResponse };
  const result = await autocannon({
    url: o.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...o.headers },
    connections: o.connections,
    duration: o.durationS,
    timeout: 20,
    requests: [request],
  });
  const completed = result.requests.total;
  return {
    requests: completed,
    sent: result.requests.sent,
    durationS: result.duration,
    rps: round(completed / result.duration),
    latencyMs: { mean: round(result.latency.mean, 2), p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    sampled: sampler.sampled,
    graphqlErrors: sampler.graphqlErrors,
    errorSamples: sampler.errorSamples,
  };
}

/**
 * Paced at `rate` req/s for `durationS`, over at most `connections` requests in flight: request i
 * is due at start + i/rate, leaves then or as soon as a connection is free, and its latency counts
 * from when it was due, so a slow answer hides no delay (no coordinated omission). A target that
 * cannot keep the rate queues requests here, not in an ever-growing backlog of sockets; issuing
 * stops when the duration is over.
 */
export async function runPaced(o: LoadOptions & { rate: number }): Promise<LoadResult> {
  const sampler = new Sampler(o.sampleEvery ?? 10);
  const latencies: number[] = [];
  let socketErrors = 0;
  let sent = 0;
  let inFlight = 0;
  let freed: (() => void) | undefined;
  const start = performance.now();
  const end = start + o.durationS * 1000;
  const one = async (due: number) => {
    try {
      const res = await fetch(o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...o.headers },
        body: requestBody(o.op),
        signal: AbortSignal.timeout(20_000),
      });
      const body = await res.text();
      if (res.ok) latencies.push(performance.now() - due);
      sampler.check(res.status, body);
    } catch (err) {
      socketErrors++;
      sampler.failure(err);
    } finally {
      inFlight--;
      freed?.();
    }
  };
  const pending: Promise<void>[] = [];
  for (let i = 0; ; i++) {
    const due = start + (i * 1000) / o.rate;
    if (due >= end) break;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    while (inFlight >= o.connections) await new Promise<void>((resolve) => (freed = resolve));
    if (performance.now() >= end) break;
    inFlight++;
    sent++;
    pending.push(one(due));
  }
  await Promise.all(pending);
  const durationS = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => (latencies.length ? round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!) : 0);
  const completed = latencies.length + sampler.non2xx;
  return {
    requests: completed,
    sent,
    durationS: round(durationS, 2),
    rps: round(completed / durationS),
    latencyMs: {
      mean: latencies.length ? round(latencies.reduce((a, b) => a + b, 0) / latencies.length, 2) : 0,
      p50: q(0.5),
      p90: q(0.9),
      p99: q(0.99),
      max: q(1),
    },
    non2xx: sampler.non2xx,
    socketErrors,
    timeouts: 0,
    sampled: sampler.sampled,
    graphqlErrors: sampler.graphqlErrors,
    errorSamples: sampler.errorSamples,
  };
}

/**
 * Warm-up: a closed loop of `connections` workers for `durationS`, each finishing its last request
 * before it stops. Unlike the end of an autocannon run, which closes its connections with requests
 * still in flight, this leaves no aborted requests behind (see bench/README.md, "Findings").
 */
export async function warmUp(o: Omit<LoadOptions, 'sampleEvery'>): Promise<{ requests: number; failures: number }> {
  const end = performance.now() + o.durationS * 1000;
  let requests = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: o.connections }, async () => {
      while (performance.now() < end) {
        const r = await single(o.url, o.headers, o.op).catch(() => ({ status: 0, body: '' }));
        requests++;
        if (responseProblems(r.status, r.body).length) failures++;
      }
    }),
  );
  return { requests, failures };
}

/** One request outside the load, for the cold measurement and the response the ceiling replays. */
export async function single(url: string, headers: Record<string, string>, op: Operation): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: requestBody(op) });
  const body = await res.text();
  return { status: res.status, body, ms: round(performance.now() - started, 2) };
}

/** The GraphQL errors of a response, or why it is not a usable answer. */
export function responseProblems(status: number, body: string): string[] {
  if (status < 200 || status >= 300) return [`HTTP ${status}: ${body.slice(0, 300)}`];
  try {
    const parsed = JSON.parse(body) as { data?: unknown; errors?: { message?: string; extensions?: { code?: string } }[] };
    if (parsed.errors?.length) return parsed.errors.slice(0, 3).map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message ?? ''}`);
    if (!parsed.data) return ['no data in the response'];
    return [];
  } catch {
    return [`not JSON: ${body.slice(0, 200)}`];
  }
}
