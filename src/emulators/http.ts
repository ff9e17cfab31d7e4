// A tiny HTTP framework shared by the provider emulators. Written on node:http rather than
// Fastify on purpose: fault injection needs the raw socket (to drop a connection mid-request)
// and the emulators must not depend on the framework the gateway itself runs on.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { FaultController, type FaultDecision, type FaultSpec } from './faults.ts';
import { webhookControl, type EmulatorWebhooks } from './webhook-control.ts';
import type { WebhookSender } from './webhooks.ts';
import { StreamLog, streamPlan, writeStream, type EmulatorStreamStats, type SseEvent, type StreamOutcome } from './stream.ts';

export type { EmulatorStreamStats, SseEvent, StreamOutcome } from './stream.ts';

export interface EmuRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  params: Record<string, string>;
  /** The fault drawn for this request, for handlers that emulate a provider's conditions (search lag). */
  fault?: FaultDecision;
}

export interface EmuResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Answers as a server-sent event stream instead of `body` (status 200). */
  stream?: SseEvent[];
}

export type RequestListener = (route: string, at: number, headers: http.IncomingHttpHeaders) => void;

export type Handler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

export interface Route {
  method: string;
  /** Path with `:name` segments, e.g. `/v1/customers/:id`. */
  pattern: string;
  handler: Handler;
}

export interface EmulatorDefinition {
  name: string;
  routes: Route[];
  /** The provider's own error body for a status (used for injected and routing errors), with its error code when one is given. */
  errorBody(status: number, message: string, code?: string): unknown;
  /** Rewrites a success body the way a provider's silent API change would. */
  drift(body: unknown): unknown;
  /** Headers the provider adds to an injected error of this status (e.g. retry-after on 429). */
  faultHeaders?(status: number): Record<string, string>;
  /** Headers the provider adds to every response (request ids, rate-limit headers). */
  commonHeaders?(req: EmuRequest): Record<string, string>;
  /** Clears data back to the seed. */
  reset(): void;
  /** The emulator's own `/__control/...` routes beside stats, reset and faults (e.g. what it received). */
  control?(req: EmuRequest): EmuResponse | undefined;
  /** The emulator's data as JSON-able state (for demo mode's persistence across restarts). */
  snapshot?(): unknown;
  restore?(state: unknown): void;
  /** Set when the provider sends webhooks: its sender and its burst of changes (/__control/webhooks). */
  webhooks?: EmulatorWebhooks;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  keys: string[];
  label: string;
}

function compile(route: Route): CompiledRoute {
  const keys: string[] = [];
  const source = route.pattern.replace(/:([A-Za-z_]+)/g, (_m, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { ...route, regex: new RegExp(`^${source}$`), keys, label: `${route.method} ${route.pattern}` };
}

export class Emulator {
  readonly faults = new FaultController();
  private readonly routes: CompiledRoute[];
  private readonly counts = new Map<string, number>();
  private readonly statuses = new Map<number, number>();
  private readonly requestListeners = new Set<RequestListener>();
  private readonly streamLog = new StreamLog();
  private server: http.Server | undefined;
  private stateFile: string | undefined;
  private dirty = false;
  private flushTimer: NodeJS.Timeout | undefined;
  url = '';
  /** Outbound webhooks, for emulators of systems that send them (register, setFaults, idle, stats). */
  readonly webhooks: WebhookSender | undefined;

  constructor(private readonly def: EmulatorDefinition) {
    this.routes = def.routes.map(compile);
    this.webhooks = def.webhooks?.sender;
  }

  get name(): string {
    return this.def.name;
  }

  /**
   * Request counts by route label, e.g. `POST /crm/v3/objects/contacts/batch/read`, answers by
   * status, and how
   * streamed answers ended: `aborted` counts clients that left mid-stream.
   */
  stats(): { total: number; byRoute: Record<string, number>; byStatus: Record<string, number>; streams: EmulatorStreamStats } {
    const byRoute = Object.fromEntries(this.counts);
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    return { total, byRoute, byStatus: Object.fromEntries(this.statuses), streams: this.streamLog.stats() };
  }

  resetStats(): void {
    this.counts.clear();
    this.statuses.clear();
    this.streamLog.reset();
  }

  /** Calls `listener` when a streamed answer ends, however it ends (tests await an abort with it). */
  onStreamEnd(listener: (outcome: StreamOutcome) => void): () => void {
    return this.streamLog.onEnd(listener);
  }

  /**
   * Calls `listener` with the route label, arrival time and headers of every API request (tests
   * time retries and read the trace context sent with it).
   */
  onRequest(listener: RequestListener): () => void {
    this.requestListeners.add(listener);
    return () => this.requestListeners.delete(listener);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    this.url = `http://${host}:${addr.port}`;
    return this.url;
  }

  /**
   * Keeps the emulator's data in `file` across restarts: loaded now if present, written a moment
   * after each change and on stop. Demo mode uses this so the emulated systems stay
   * coherent with the embedded store, which persists too.
   */
  persistTo(file: string): void {
    if (!this.def.snapshot || !this.def.restore) return;
    this.stateFile = file;
    if (existsSync(file)) this.def.restore(JSON.parse(readFileSync(file, 'utf8')));
    this.flushTimer = setInterval(() => this.flush(), 1_000);
    this.flushTimer.unref();
  }

  private flush(): void {
    if (!this.dirty || !this.stateFile || !this.def.snapshot) return;
    this.dirty = false;
    mkdirSync(path.dirname(this.stateFile), { recursive: true });
    // Write then rename, so a crash mid-write never leaves a truncated state file.
    writeFileSync(`${this.stateFile}.tmp`, JSON.stringify(this.def.snapshot()));
    renameSync(`${this.stateFile}.tmp`, this.stateFile);
  }

  async stop(): Promise<void> {
    // Pending deliveries are dropped, not left to fire into a test that has moved on.
    this.webhooks?.stop();
    clearInterval(this.flushTimer);
    this.flush();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const base: EmuRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody: Buffer.concat(chunks).toString('utf8'),
      params: {},
    };
    if (base.path.startsWith('/__control/')) return this.control(base, res);

    const match = this.match(base);
    const label = match?.route.label ?? `${base.method} (unmatched)`;
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
    // Answers by status (429s among them: how often a client ran into the rate limit).
    res.once('finish', () => this.statuses.set(res.statusCode, (this.statuses.get(res.statusCode) ?? 0) + 1));
    const at = Date.now();
    for (const listener of this.requestListeners) listener(label, at, base.headers);

    const fault = this.faults.next();
    if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault.drop) {
      req.socket.destroy();
      return;
    }
    const common = this.def.commonHeaders?.(base) ?? {};
    if (fault.status) {
      const headers: Record<string, string> = { ...common, ...this.def.faultHeaders?.(fault.status) };
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      return send(res, fault.status, this.def.errorBody(fault.status, 'Injected fault', fault.code), headers);
    }
    if (!match) return send(res, 404, this.def.errorBody(404, `Unrecognized request URL (${base.method}: ${base.path})`), common);

    try {
      const out = await match.route.handler({ ...base, params: match.params, fault });
      if (base.method !== 'GET') this.dirty = true;
      if (out.stream) {
        this.streamLog.opened();
        const plan = streamPlan(label, out.stream, fault, { ...common, ...out.headers }, this.def.drift);
        return this.streamLog.record(await writeStream(res, plan));
      }
      if (fault.dropResponse) {
        req.socket.destroy();
        return;
      }
      const body = fault.drift && out.status < 300 ? this.def.drift(out.body) : out.body;
      send(res, out.status, body, { ...common, ...out.headers });
    } catch (err) {
      if (res.headersSent) return void res.destroy();
      send(res, 500, this.def.errorBody(500, (err as Error).message), common);
    }
  }

  private match(req: EmuRequest): { route: CompiledRoute; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== req.method) continue;
      const m = route.regex.exec(req.path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1] ?? '')));
      return { route, params };
    }
    return undefined;
  }

  private control(req: EmuRequest, res: http.ServerResponse): void {
    const key = `${req.method} ${req.path}`;
    if (key === 'GET /__control/stats') return send(res, 200, { ...this.stats(), faults: this.faults.current() });
    if (key === 'POST /__control/reset') {
      this.def.reset();
      this.dirty = true;
      this.faults.clear();
      this.webhooks?.clearFaults();
      this.webhooks?.resetStats();
      this.resetStats();
      return send(res, 200, { ok: true });
    }
    if (key === 'POST /__control/faults') {
      let spec: FaultSpec;
      try {
        spec = FaultController.parse(req.rawBody ? JSON.parse(req.rawBody) : {});
      } catch (err) {
        return send(res, 400, { error: { message: `Invalid fault spec: ${(err as Error).message}` } });
      }
      this.faults.set(spec);
      return send(res, 200, { ok: true, faults: this.faults.current() });
    }
    const hooks = this.def.webhooks && /^\/__control\/webhooks(\/|$)/.test(req.path) ? webhookControl(this.def.webhooks, req) : undefined;
    if (hooks) return send(res, hooks.status, hooks.body);
    const own = this.def.control?.(req);
    if (own) return send(res, own.status, own.body, own.headers);
    send(res, 404, { error: { message: `Unknown control route ${key}` } });
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || status === 304) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  // A plain-text answer (a webhook receiver's `ok`) goes out as it is; everything else as JSON.
  const plain = typeof body === 'string' && /^text\//.test(headers['content-type'] ?? '');
  const text = plain ? (body as string) : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
