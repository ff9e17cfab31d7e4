// The outbound half of an emulator: signed webhook deliveries to registered endpoints, sent the
// way the real systems send them, so the receiving side is tested against their habits: several
// deliveries in flight at once (arrival order is not send order), retries with backoff on any
// non-2xx or network error, and injectable faults (duplicates, reordering, delay, bad or stale
// signatures). Each emulator supplies its signature and body format.
import { DeliveryFaultDraws, type DeliveryFaultInput, type DeliveryFaults } from './webhook-faults.ts';

import type { SenderSettings, WebhookSenderOptions, WebhookStats } from './webhook-types.ts';

export type { DeliveryFaultInput, DeliveryFaults } from './webhook-faults.ts';
export type { SenderSettings, SignInput, WebhookSenderOptions, WebhookStats } from './webhook-types.ts';

interface Endpoint {
  url: string;
  secret: string;
}

interface Buffered {
  events: unknown[];
  timer: NodeJS.Timeout;
}

interface Delivery {
  endpoint: Endpoint;
  events: unknown[];
  attempt: number;
}

const REORDER_FLUSH_MS = 250;

export class WebhookSender {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly settings: SenderSettings;
  private queue: Delivery[] = [];
  // Per endpoint url: events held for reordering, and events collected into the next batch.
  private held = new Map<string, Buffered>();
  private batches = new Map<string, Buffered>();
  private timers = new Set<NodeJS.Timeout>();
  private inFlight = new Set<AbortController>();
  private active = 0;
  private pendingEvents = 0;
  // Bumped by stop() and clear(): a callback from an older generation finds its work dropped.
  private generation = 0;
  private readonly faults = new DeliveryFaultDraws();
  private counts = { events: 0, sent: 0, retries: 0, delivered: 0, failed: 0 };
  private byStatus = new Map<string, number>();
  private waiters: (() => void)[] = [];

  private readonly options: WebhookSenderOptions;

  constructor(options: WebhookSenderOptions) {
    this.options = options;
    this.settings = {
      concurrency: options.concurrency ?? 4,
      retryDelaysMs: options.retryDelaysMs ?? [200, 1_000, 5_000, 5_000],
      timeoutMs: options.timeoutMs ?? 10_000,
    };
  }

  /** Adds an endpoint, or replaces the secret of the one with the same url. */
  register(url: string, secret: string): void {
    this.endpoints.set(url, { url, secret });
  }

  endpointList(): { url: string }[] {
    return [...this.endpoints.values()].map(({ url }) => ({ url }));
  }

  get endpointCount(): number {
    return this.endpoints.size;
  }

  /** Forgets every endpoint and drops whatever is queued for them. */
  clear(): void {
    this.endpoints.clear();
    this.drop();
  }

  configure(settings: Partial<SenderSettings>): void {
    Object.assign(this.settings, settings);
  }

  setFaults(input: DeliveryFaultInput): DeliveryFaults {
    return this.faults.set(input);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  currentFaults(): DeliveryFaults | null {
    return this.faults.current();
  }

  /** Queues one event for every registered endpoint. */
  send(event: unknown): void {
    for (const endpoint of this.endpoints.values()) {
      this.counts.events++;
      this.pendingEvents++;
      this.hold(endpoint, event);
    }
  }

  stats(): WebhookStats {
    return { ...this.counts, pending: this.pendingEvents, byStatus: Object.fromEntries(this.byStatus) };
  }

  resetStats(): void {
    this.counts = { events: 0, sent: 0, retries: 0, delivered: 0, failed: 0 };
    this.byStatus.clear();
  }

  /** Resolves once every queued event is delivered or given up (or dropped by stop). */
  idle(): Promise<void> {
    if (this.pendingEvents === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops pending deliveries and aborts those in flight; endpoints and faults stay. */
  stop(): void {
    this.drop();
  }

  private drop(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    for (const c of this.inFlight) c.abort();
    this.timers.clear();
    this.inFlight.clear();
    this.queue = [];
    this.held = new Map();
    this.batches = new Map();
    this.active = 0;
    this.settle(this.pendingEvents);
  }

  private later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  private hold(endpoint: Endpoint, event: unknown): void {
    const window = this.faults.spec.reorderWindow;
    if (window <= 1) return this.collect(endpoint, event);
    // A window that never fills is released anyway, so idle() still resolves.
    const held = this.buffer(this.held, endpoint, REORDER_FLUSH_MS, () => this.release(endpoint));
    held.push(event);
    if (held.length >= window) this.release(endpoint);
  }

  private release(endpoint: Endpoint): void {
    const held = this.faults.shuffle(this.take(this.held, endpoint));
    for (const event of held) this.collect(endpoint, event);
  }

  private collect(endpoint: Endpoint, event: unknown): void {
    const batch = this.options.batch;
    if (!batch) return this.enqueue({ endpoint, events: [event], attempt: 1 });
    const events = this.buffer(this.batches, endpoint, batch.windowMs, () => this.flushBatch(endpoint));
    events.push(event);
    if (events.length >= batch.max) this.flushBatch(endpoint);
  }

  private flushBatch(endpoint: Endpoint): void {
    const events = this.take(this.batches, endpoint);
    if (events.length) this.enqueue({ endpoint, events, attempt: 1 });
  }

  /** The endpoint's open buffer in `map`, opened with a timer that flushes it after `ms`. */
  private buffer(map: Map<string, Buffered>, endpoint: Endpoint, ms: number, flush: () => void): unknown[] {
    let b = map.get(endpoint.url);
    if (!b) {
      b = { events: [], timer: this.later(ms, flush) };
      map.set(endpoint.url, b);
    }
    return b.events;
  }

  private take(map: Map<string, Buffered>, endpoint: Endpoint): unknown[] {
    const b = map.get(endpoint.url);
    if (!b) return [];
    map.delete(endpoint.url);
    clearTimeout(b.timer);
    this.timers.delete(b.timer);
    return b.events;
  }

  private enqueue(delivery: Delivery): void {
    this.queue.push(delivery);
    if (this.faults.duplicate()) {
      this.pendingEvents += delivery.events.length;
      this.counts.events += delivery.events.length;
      this.queue.push({ ...delivery });
    }
    this.pump();
  }

  private pump(): void {
    while (this.active < this.settings.concurrency && this.queue.length) {
      this.active++;
      void this.deliver(this.queue.shift()!);
    }
  }

  private async deliver(d: Delivery): Promise<void> {
    const generation = this.generation;
    const delay = this.faults.spec.delayMs;
    if (delay > 0) await new Promise<void>((resolve) => this.later(delay, resolve));
    if (generation !== this.generation) return;
    const status = await this.attempt(d);
    if (generation !== this.generation) return;
    this.active--;
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    if (/^2\d\d$/.test(status)) {
      this.counts.delivered += d.events.length;
      this.settle(d.events.length);
    } else if (d.attempt <= this.settings.retryDelaysMs.length) {
      this.counts.retries++;
      this.later(this.settings.retryDelaysMs[d.attempt - 1]!, () => {
        this.queue.push({ ...d, attempt: d.attempt + 1 });
        this.pump();
      });
    } else {
      this.counts.failed += d.events.length;
      this.settle(d.events.length);
    }
    this.pump();
  }

  /** One POST; answers its status as a string, or `network`. Never throws. */
  private async attempt(d: Delivery): Promise<string> {
    const body = this.options.render ? this.options.render(d.events, d.attempt) : JSON.stringify(d.events[0]);
    const signed = this.options.sign({ url: d.endpoint.url, body, ...this.faults.signing(d.endpoint.secret) });
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.settings.timeoutMs);
    this.counts.sent++;
    try {
      // connection: close, so a stopped emulator leaves no keep-alive sockets to its receivers.
      const headers = { 'content-type': 'application/json', ...this.options.headers, ...signed, connection: 'close' };
      const res = await fetch(d.endpoint.url, { method: 'POST', headers, body, signal: controller.signal, redirect: 'manual' });
      await res.arrayBuffer().catch(() => undefined);
      return String(res.status);
    } catch {
      return 'network';
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private settle(n: number): void {
    this.pendingEvents = Math.max(0, this.pendingEvents - n);
    if (this.pendingEvents > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
