// Server-sent event streams for the emulators (AI providers stream their replies). Kept apart
// from http.ts because a stream has its own life: paced writes, and a client that may leave
// half-way, which the emulator must notice and report, as a real provider bills what it sent.
import type http from 'node:http';
import type { FaultDecision } from './faults.ts';

export interface SseEvent {
  /** The SSE `event:` name (some APIs name every event, others send bare `data:` lines). */
  event?: string;
  /** JSON-encoded unless it is already a string (a final `[DONE]`). */
  data: unknown;
  /** A token of model output: the per-token delay fault is paid before it. */
  token?: boolean;
}

export type StreamEnd = 'completed' | 'aborted' | 'dropped';

export interface StreamOutcome {
  route: string;
  end: StreamEnd;
  startedAt: number;
  endedAt: number;
  eventsSent: number;
  tokensSent: number;
  tokensTotal: number;
}

export interface StreamPlan {
  route: string;
  events: SseEvent[];
  headers: Record<string, string>;
  tokenDelayMs: number;
  /** Destroys the connection after this many token events (the provider dying mid-reply). */
  dropAfterTokens?: number;
  /** Rewrites each event's data (the drift fault). */
  rewrite?: (data: unknown) => unknown;
}

function frame(e: SseEvent, rewrite?: (data: unknown) => unknown): string {
  const data = typeof e.data === 'string' ? e.data : JSON.stringify(rewrite ? rewrite(e.data) : e.data);
  return `${e.event ? `event: ${e.event}\n` : ''}data: ${data}\n\n`;
}

export async function writeStream(res: http.ServerResponse, plan: StreamPlan): Promise<StreamOutcome> {
  const startedAt = Date.now();
  const tokensTotal = plan.events.filter((e) => e.token).length;
  let eventsSent = 0;
  let tokensSent = 0;
  // 'close' before the end was written means the client went away; racing it against the pacing
  // delay lets a long per-token delay still notice an abort at once.
  let closed = false;
  let onClose: () => void = () => {};
  const closedSignal = new Promise<void>((resolve) => {
    onClose = resolve;
  });
  res.once('close', () => {
    closed = true;
    onClose();
  });
  const outcome = (end: StreamEnd): StreamOutcome => ({
    route: plan.route,
    end,
    startedAt,
    endedAt: Date.now(),
    eventsSent,
    tokensSent,
    tokensTotal,
  });

  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...plan.headers });
  res.flushHeaders();
  for (const event of plan.events) {
    if (event.token && plan.dropAfterTokens !== undefined && tokensSent >= plan.dropAfterTokens) {
      res.socket?.destroy();
      return outcome('dropped');
    }
    if (event.token && plan.tokenDelayMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closedSignal, new Promise<void>((r) => (timer = setTimeout(r, plan.tokenDelayMs)))]);
      clearTimeout(timer);
    }
    if (closed || res.destroyed) return outcome('aborted');
    res.write(frame(event, plan.rewrite));
    eventsSent += 1;
    if (event.token) tokensSent += 1;
  }
  // 'finish' never comes if the socket dies first, hence the race.
  await Promise.race([closedSignal, new Promise<void>((resolve) => res.end(resolve))]);
  return outcome(res.writableFinished ? 'completed' : 'aborted');
}

/** The stream's share of a request's faults: pacing, a connection lost half-way, drifted events. */
export function streamPlan(
  route: string,
  events: SseEvent[],
  fault: FaultDecision,
  headers: Record<string, string>,
  drift: (data: unknown) => unknown,
): StreamPlan {
  const tokens = events.filter((e) => e.token).length;
  return {
    route,
    events,
    headers,
    tokenDelayMs: fault.tokenDelayMs,
    ...(fault.dropResponse ? { dropAfterTokens: Math.floor(tokens / 2) } : {}),
    ...(fault.drift ? { rewrite: drift } : {}),
  };
}

export interface EmulatorStreamStats {
  opened: number;
  completed: number;
  aborted: number;
  dropped: number;
  /** The last streams' outcomes, newest last. */
  recent: StreamOutcome[];
}

const RECENT = 50;

/** How an emulator's streams ended, for its stats and for tests waiting on an abort. */
export class StreamLog {
  private counts = { opened: 0, completed: 0, aborted: 0, dropped: 0 };
  private recent: StreamOutcome[] = [];
  private readonly listeners = new Set<(outcome: StreamOutcome) => void>();

  opened(): void {
    this.counts.opened += 1;
  }

  record(outcome: StreamOutcome): void {
    this.counts[outcome.end] += 1;
    this.recent.push(outcome);
    if (this.recent.length > RECENT) this.recent.shift();
    for (const listener of this.listeners) listener(outcome);
  }

  stats(): EmulatorStreamStats {
    return { ...this.counts, recent: [...this.recent] };
  }

  reset(): void {
    this.counts = { opened: 0, completed: 0, aborted: 0, dropped: 0 };
    this.recent = [];
  }

  onEnd(listener: (outcome: StreamOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
