// Delivery faults for an emulator's webhooks, set through POST /__control/webhooks/faults: what
// the real senders do to a receiver now and then (send twice, out of order, late, or signed
// wrongly), drawn per delivery or per attempt.
import { z } from 'zod';
import { prng } from './faults.ts';

export const DeliveryFaultSchema = z
  .object({
    /** Share of deliveries sent twice (the same events, the same ids). */
    duplicateRate: z.number().min(0).max(1).default(0),
    /** Holds this many events per endpoint, then releases them shuffled (0 or 1: off). */
    reorderWindow: z.number().int().min(0).max(1_000).default(0),
    /** Added wait before each delivery attempt, in ms. */
    delayMs: z.number().int().min(0).max(60_000).default(0),
    /** Share of attempts signed with a wrong secret. */
    badSignatureRate: z.number().min(0).max(1).default(0),
    /** Share of attempts signed with a timestamp ten minutes old. */
    staleRate: z.number().min(0).max(1).default(0),
    /** Seed for the random draws, so a run can be repeated exactly. */
    seed: z.number().int().optional(),
  })
  .strict();

export type DeliveryFaults = z.infer<typeof DeliveryFaultSchema>;
export type DeliveryFaultInput = z.input<typeof DeliveryFaultSchema>;

const NO_FAULTS: DeliveryFaults = DeliveryFaultSchema.parse({});
// A stale signature is older than both providers' five-minute tolerance.
const STALE_MS = 10 * 60_000;

export class DeliveryFaultDraws {
  spec: DeliveryFaults = NO_FAULTS;
  private random: () => number = Math.random;

  /** Parses and applies `input`; throws a ZodError on bad input. */
  set(input: unknown): DeliveryFaults {
    this.spec = DeliveryFaultSchema.parse(input);
    this.random = this.spec.seed === undefined ? Math.random : prng(this.spec.seed);
    return this.spec;
  }

  clear(): void {
    this.spec = NO_FAULTS;
    this.random = Math.random;
  }

  current(): DeliveryFaults | null {
    return this.spec === NO_FAULTS ? null : this.spec;
  }

  duplicate(): boolean {
    return this.draw(this.spec.duplicateRate);
  }

  /** The secret and timestamp one attempt is signed with. */
  signing(secret: string): { secret: string; timestamp: number } {
    const stale = this.draw(this.spec.staleRate);
    const bad = this.draw(this.spec.badSignatureRate);
    return { secret: bad ? `${secret}_not_it` : secret, timestamp: stale ? Date.now() - STALE_MS : Date.now() };
  }

  /** Fisher-Yates in place, with the seeded draw when a seed is set. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  private draw(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }
}
