// POST /__control/webhooks/emit: a burst of real changes to seeded objects, each sending the
// events the same change through the API would, spread over many customers (tests, benchmarks).
import type { EmitEvent } from './events.ts';
import { previousAttributes } from './events.ts';
import { createRefund } from './routes-charges-refunds.ts';
import type { StripeStore } from './store.ts';

export const BURST_KINDS = ['customer', 'refund'] as const;

export class StripeBurst {
  private cursor = 0;
  private sequence = 0;
  private readonly store: StripeStore;
  private readonly event: EmitEvent;

  constructor(store: StripeStore, event: EmitEvent) {
    this.store = store;
    this.event = event;
  }

  /**
   * `customer` (the default): a metadata change, one customer.updated each. `refund`: a partial
   * refund of one unit of a succeeded charge, sending charge.refunded and refund.created.
   * (Stripe sends no event for a PaymentIntent's description or metadata, so neither does this.)
   */
  emit(count: number, kind = 'customer'): number {
    if (kind === 'customer') return this.customers(count);
    if (kind === 'refund') return this.refunds(count);
    throw new Error(`Unknown emit kind '${kind}': one of ${BURST_KINDS.join(', ')}`);
  }

  private next<T>(items: T[]): T {
    return items[this.cursor++ % items.length]!;
  }

  private customers(count: number): number {
    const customers = [...this.store.customers.values()];
    if (!customers.length) throw new Error('No customers to change');
    for (let i = 0; i < count; i++) {
      const before = this.next(customers);
      const after = structuredClone(before);
      after.metadata = { ...after.metadata, emulator_burst: String(++this.sequence) };
      this.store.customers.set(after.id, after);
      customers[(this.cursor - 1) % customers.length] = after;
      this.event('customer.updated', after, previousAttributes(before, after));
    }
    return count;
  }

  private refunds(count: number): number {
    let made = 0;
    while (made < count) {
      const charges = [...this.store.charges.values()].filter((c) => c.status === 'succeeded' && c.amount - c.amount_refunded > 1);
      if (!charges.length) break;
      for (const charge of charges.slice(0, count - made)) {
        createRefund(this.store, { charge: charge.id, amount: '1', metadata: { emulator_burst: String(++this.sequence) } }, this.event);
        made++;
      }
    }
    return made;
  }
}
