// The fixed set of operations every target is measured on, in the order they run (the write
// last, so the payments it adds never change what the reads return).
import { randomUUID } from 'node:crypto';

export type OperationId = 'customer' | 'nested' | 'nestedPaced' | 'cached' | 'createPayment';

export interface Operation {
  id: OperationId;
  /** As shown in the report. */
  title: string;
  operationName: string;
  query: string;
  variables: () => Record<string, unknown>;
  /** The variables change per request (a fresh idempotency key), so the body is built per request. */
  perRequest: boolean;
  /**
   * Offered at a fixed rate (--paced-rate, req/s, evenly spaced) instead of as fast as the target
   * answers: latency without the queueing of a saturated machine.
   */
  paced?: boolean;
}

const NESTED = `query Nested {
  customers(first: 50) {
    totalCount
    edges { node {
      id email name
      payments(first: 3) { edges { node { id status createdAt amount { amount currency formatted } } } }
      crmContact { id company lifecycleStage }
    } }
  }
}`;

/** Demo customers (src/emulators/seed.ts): 0002 has payments and is not among the 50 newest. */
const CACHED_CUSTOMER = 'cust_demo0002';
const PAYING_CUSTOMER = 'cust_demo0003';

export const OPERATIONS: Operation[] = [
  {
    id: 'customer',
    title: 'one customer (store only)',
    operationName: 'OneCustomer',
    query: 'query OneCustomer($id: ID!) { customer(id: $id) { id email name createdAt linkStatus } }',
    variables: () => ({ id: 'cust_demo0001' }),
    perRequest: false,
  },
  {
    id: 'nested',
    title: 'customers(first: 50) + payments + crmContact',
    operationName: 'Nested',
    query: NESTED,
    variables: () => ({}),
    perRequest: false,
  },
  {
    id: 'nestedPaced',
    title: 'the same nested query, paced',
    operationName: 'Nested',
    query: NESTED,
    variables: () => ({}),
    perRequest: false,
    paced: true,
  },
  {
    id: 'cached',
    title: 'repeated read (cached upstream)',
    operationName: 'CachedCustomer',
    query: `query CachedCustomer($id: ID!) {
  customer(id: $id) {
    id email name
    payments(first: 5) { edges { node { id status amount { formatted } } } }
    crmContact { id company lifecycleStage }
  }
}`,
    variables: () => ({ id: CACHED_CUSTOMER }),
    perRequest: false,
  },
  {
    id: 'createPayment',
    title: 'createPayment (fresh idempotency key)',
    operationName: 'CreatePayment',
    query: `mutation CreatePayment($input: CreatePaymentInput!) {
  createPayment(input: $input) { id status amount { amount currency formatted } }
}`,
    variables: () => ({
      input: {
        customerId: PAYING_CUSTOMER,
        amount: 1999,
        currency: 'USD',
        description: 'benchmark',
        paymentMethod: 'pm_card_visa',
        idempotencyKey: `bench-${randomUUID()}`,
      },
    }),
    perRequest: true,
  },
];

export function requestBody(op: Operation): string {
  return JSON.stringify({ operationName: op.operationName, query: op.query, variables: op.variables() });
}
