// Injected faults for an emulator, set through POST /__control/faults.
import { z } from 'zod';

const FaultSchema = z
  .object({
    /** Added delay before every answer, in ms. */
    latencyMs: z.number().int().min(0).max(120_000).default(0),
    /** Share of requests answered with `status` (defaults to 1 when a status is given). */
    errorRate: z.number().min(0).max(1).optional(),
    /** Status of injected errors; 429 when only retryAfterSeconds is given, 503 otherwise. */
    status: z.number().int().min(400).max(599).optional(),
    /** The provider's error code in injected error bodies (e.g. idempotency_key_in_use with a 409). */
    code: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/)
      .optional(),
    /** Adds a Retry-After header to injected errors. */
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    /** Share of requests whose connection is destroyed before they are handled. */
    dropRate: z.number().min(0).max(1).default(0),
    /** Share of requests that are handled (a write takes effect) and then lose their answer (a stream, half-way). */
    dropResponseRate: z.number().min(0).max(1).default(0),
    /** Search leaves out objects created in the last N ms, as a search index lags its writes. */
    searchLagMs: z.number().int().min(0).max(600_000).optional(),

    /** Delay before each token of a streamed answer, in ms (lets a test cut a stream mid-way). */
    tokenDelayMs: z.number().int().min(0).max(60_000).default(0),
    /** Success bodies come back in a changed shape. */
    drift: z.boolean().default(false),
    /** The fault covers only the next `count` requests, then clears itself. */
    count: z.number().int().min(1).optional(),
    /** Seed for the random draws, so a run can be repeated exactly. */
    seed: z.number().int().optional(),
  })
  .strict();

export type FaultSpec = z.infer<typeof FaultSchema>;

export interface FaultDecision {
  latencyMs: number;
  tokenDelayMs: number;
  drop: boolean;
  dropResponse: boolean;
  status?: number;
  code?: string;
  retryAfterSeconds?: number;
  drift: boolean;
  searchLagMs?: number;
}

const NONE: FaultDecision = { latencyMs: 0, tokenDelayMs: 0, drop: false, dropResponse: false, drift: false };

// mulberry32: a small seeded PRNG so fault bursts are reproducible in tests and benchmarks.
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultController {
  private spec: FaultSpec | undefined;
  private remaining = Infinity;
  private random: () => number = Math.random;

  static parse(input: unknown): FaultSpec {
    return FaultSchema.parse(input);
  }

  set(spec: FaultSpec): void {
    this.spec = spec;
    this.remaining = spec.count ?? Infinity;
    this.random = spec.seed === undefined ? Math.random : prng(spec.seed);
  }

  clear(): void {
    this.spec = undefined;
    this.remaining = Infinity;
  }

  current(): FaultSpec | null {
    return this.spec ?? null;
  }

  /** Draws the fault for one request. */
  next(): FaultDecision {
    const spec = this.spec;
    if (!spec) return NONE;
    if (--this.remaining <= 0) this.clear();
    const status = spec.status ?? (spec.retryAfterSeconds !== undefined ? 429 : spec.errorRate !== undefined ? 503 : undefined);
    const rate = spec.errorRate ?? (status !== undefined ? 1 : 0);
    const drop = spec.dropRate > 0 && this.random() < spec.dropRate;
    const failing = !drop && status !== undefined && rate > 0 && this.random() < rate;
    const dropResponse = !drop && !failing && spec.dropResponseRate > 0 && this.random() < spec.dropResponseRate;
    return {
      latencyMs: spec.latencyMs,
      tokenDelayMs: spec.tokenDelayMs,
      drop,
      dropResponse,
      drift: spec.drift,
      ...(spec.searchLagMs ? { searchLagMs: spec.searchLagMs } : {}),
      ...(failing ? { status, code: spec.code, retryAfterSeconds: spec.retryAfterSeconds } : {}),
    };
  }
}
