// The unified graph through executeOperation, with the real SDKs talking to the emulators and
// the store on PGlite (and on real Postgres when DATABASE_URL is set).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startStack, type Stack } from '../helpers/stack.ts';
import { createLoaders } from '../../src/connectors/loaders.ts';

const NESTED = /* GraphQL */ `
  query Nested($first: Int) {
    customers(first: $first) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          email
          name
          payments(first: 3) {
            edges {
              node {
                id
                amount {
                  amount
                  currency
                  formatted
                }
                status
                customer {
                  id
                }
              }
            }
            pageInfo {
              hasNextPage
            }
          }
          crmContact {
            id
            email
            firstName
            lastName
            company
          }
        }
      }
    }
  }
`;

interface NestedData {
  customers: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string };
    edges: {
      node: {
        id: string;
        email: string;
        name: string;
        payments: {
          edges: { node: { id: string; amount: { amount: number; currency: string; formatted: string }; status: string; customer: { id: string } } }[];
          pageInfo: { hasNextPage: boolean };
        };
        crmContact: { id: string; email: string; firstName: string; lastName: string } | null;
      };
    }[];
  };
}

function routeCount(stack: Stack, system: 'stripe' | 'hubspot' | 'openai', route: string): number {
  return stack.emulators[system].stats().byRoute[route] ?? 0;
}

describe.each(BACKENDS)('graph on %s', (backend) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(backend);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('walks 50 customers to their payments and CRM contacts in a handful of upstream calls', async () => {
    stack.resetCounts();
    const res = await stack.run<NestedData>(NESTED, { first: 50 });
    expect(res.errors).toBeUndefined();
    const { customers } = res.data!;
    expect(customers.totalCount).toBe(200);
    expect(customers.edges).toHaveLength(50);
    expect(customers.pageInfo.hasNextPage).toBe(true);

    for (const { node } of customers.edges) {
      // Coherent across systems: the CRM contact and every payment belong to this customer.
      expect(node.crmContact?.email).toBe(node.email);
      expect(`${node.crmContact?.firstName} ${node.crmContact?.lastName}`).toBe(node.name);
      expect(node.payments.edges.length).toBeLessThanOrEqual(3);
      for (const { node: p } of node.payments.edges) {
        expect(p.customer.id).toBe(node.id);
        expect(p.amount.amount).toBeGreaterThan(0);
      }
    }
    expect(customers.edges.some(({ node }) => node.payments.edges.length === 3 && node.payments.pageInfo.hasNextPage)).toBe(true);

    // One SQL statement for the page (payments' customers are primed from it), one HubSpot
    // batch read for 50 contacts, and Stripe search calls of ten customers each, never one per customer.
    expect(stack.storeQueries()).toBe(1);
    expect(routeCount(stack, 'hubspot', 'POST /crm/v3/objects/contacts/batch/read')).toBe(1);
    expect(stack.emulators.hubspot.stats().total).toBe(1);
    expect(routeCount(stack, 'stripe', 'GET /v1/payment_intents/search')).toBe(5);
    expect(stack.emulators.stripe.stats().total).toBe(5);
  });

  it('pages through customers with cursors and searches them', async () => {
    const first = await stack.run<NestedData>(`{ customers(first: 2) { edges { node { id } } pageInfo { endCursor hasNextPage } } }`);
    const second = await stack.run<NestedData>(`query($after: String) { customers(first: 2, after: $after) { edges { node { id } } } }`, {
      after: first.data!.customers.pageInfo.endCursor,
    });
    const ids = [...first.data!.customers.edges, ...second.data!.customers.edges].map((e) => e.node.id);
    expect(new Set(ids).size).toBe(4);

    const search = await stack.run<NestedData>(`{ customers(first: 5, search: "LOVELACE") { totalCount edges { node { email } } } }`);
    expect(search.data!.customers.totalCount).toBeGreaterThan(0);
    for (const e of search.data!.customers.edges) expect(e.node.email).toContain('lovelace');
  });

  it('answers one customer with totals, a payment with its refunds, and a contact back to its customer', async () => {
    const res = await stack.run<{ customer: { totalPaid: { amount: number; currency: string; formatted: string }[]; crmContact: { id: string } } }>(
      `{ customer(id: "cust_demo0005") { id totalPaid { amount currency formatted } crmContact { id } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.customer.totalPaid.length).toBeGreaterThan(0);
    for (const m of res.data!.customer.totalPaid) expect(m.formatted).toMatch(/\d/);

    const contact = await stack.run<{ crmContact: { customer: { id: string } } }>(
      `{ crmContact(id: "${res.data!.customer.crmContact.id}") { customer { id } } }`,
    );
    expect(contact.data!.crmContact.customer.id).toBe('cust_demo0005');

    const payment = await stack.run<{ payment: { id: string; refunds: unknown[]; customer: { id: string } } }>(
      `{ payment(id: "pi_demo000501") { id refunds { id amount { amount } } customer { id } } }`,
    );
    expect(payment.errors).toBeUndefined();
    expect(payment.data!.payment.customer.id).toBe('cust_demo0005');

    const missing = await stack.run(`{ payment(id: "pi_doesnotexist") { id } customer(id: "cust_nobody1") { id } }`);
    expect(missing.errors).toBeUndefined();
    expect(missing.data).toEqual({ payment: null, customer: null });
    const contactMissing = await stack.run(`{ crmContact(id: "999999") { id } }`);
    expect(contactMissing).toMatchObject({ data: { crmContact: null } });
    expect(contactMissing.errors).toBeUndefined();
  });

  it('loads a missing object as an error per key, which a lookup answers as null and a mutation as NOT_FOUND naming its input', async () => {
    const loaders = createLoaders(stack.connectors);
    const [found, missing] = await Promise.allSettled([loaders.customerById.load('cust_demo0005'), loaders.customerById.load('cust_nobody1')]);
    expect(found).toMatchObject({ status: 'fulfilled', value: { id: 'cust_demo0005' } });
    expect(missing).toMatchObject({ status: 'rejected', reason: { name: 'NotFoundError', kind: 'customer', id: 'cust_nobody1' } });

    const pay = await stack.run(
      `mutation { createPayment(input: { customerId: "cust_nobody1", amount: 500, currency: "usd", idempotencyKey: "nf-${backend}-1" }) { id } }`,
    );
    expect(pay.errors?.[0]).toMatchObject({ message: 'No customer cust_nobody1', extensions: { code: 'NOT_FOUND', field: 'input.customerId' } });
  });

  it('creates a customer linked in the store, Stripe and the CRM', async () => {
    const email = `new.${backend}@example.com`;
    const res = await stack.run<{ createCustomer: { id: string; linkStatus: string; crmContact: { email: string }; payments: { edges: unknown[] } } }>(
      `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id linkStatus crmContact { email } payments { edges { cursor } } } }`,
      { input: { email, name: 'Nova Example' } },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.createCustomer.linkStatus).toBe('LINKED');
    expect(res.data!.createCustomer.crmContact.email).toBe(email);
    const [record] = await stack.connectors.store.customers.byIds([res.data!.createCustomer.id]);
    expect(record?.paymentsCustomerId).toMatch(/^cus_/);

    const again = await stack.run(`mutation { createCustomer(input: { email: "${email.toUpperCase()}" }) { id } }`);
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  // The CRM step now looks the email up before creating (an idempotent read the pipeline
  // retries), so one 503 is absorbed; a refusal (400) is permanent and undoes the earlier steps.
  it('undoes the Stripe customer and the record when the CRM refuses the contact', async () => {
    await fetch(`${stack.emulators.urls.hubspot}/__control/faults`, { method: 'POST', body: JSON.stringify({ status: 400, count: 1 }) });
    stack.resetCounts();
    const email = `fails.${backend}@example.com`;
    const res = await stack.run(`mutation { createCustomer(input: { email: "${email}", name: "Fay Fails" }) { id } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_REJECTED');
    expect(res.errors?.[0]?.extensions?.connector).toBe('hubspot');
    expect(await stack.connectors.store.customers.byEmail(email)).toBeNull();
    expect(routeCount(stack, 'stripe', 'POST /v1/customers')).toBe(1);
    expect(routeCount(stack, 'stripe', 'DELETE /v1/customers/:id')).toBe(1);
    const left = await fetch(`${stack.emulators.urls.stripe}/v1/customers?email=${encodeURIComponent(email)}`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    expect(((await left.json()) as { data: unknown[] }).data).toEqual([]);
  });

  it('links the customer through one CRM 503, which the pipeline retries', async () => {
    await fetch(`${stack.emulators.urls.hubspot}/__control/faults`, { method: 'POST', body: JSON.stringify({ status: 503, count: 1 }) });
    const res = await stack.run<{ createCustomer: { linkStatus: string } }>(
      `mutation { createCustomer(input: { email: "blip.${backend}@example.com", name: "Bea Blip" }) { linkStatus } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.createCustomer.linkStatus).toBe('LINKED');
  });

  it('creates a payment once per idempotency key and shows it on the customer at once', async () => {
    const create = `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id status amount { amount currency formatted } customer { id } } }`;
    const input = {
      customerId: 'cust_demo0003',
      amount: 4200,
      currency: 'EUR',
      description: 'Workshop',
      paymentMethod: 'pm_card_visa',
      idempotencyKey: `order-${backend}-0001`,
    };
    const first = await stack.run<{ createPayment: { id: string; status: string; amount: { formatted: string } } }>(create, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data!.createPayment.status).toBe('SUCCEEDED');
    expect(first.data!.createPayment.amount.formatted).toBe('€42.00');
    const second = await stack.run<{ createPayment: { id: string } }>(create, { input });
    expect(second.data!.createPayment.id).toBe(first.data!.createPayment.id);

    const other = await stack.run(create, { input: { ...input, amount: 4300 } });
    expect(other.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_CONFLICT');

    const listed = await stack.run<{ customer: { payments: { edges: { node: { id: string } }[] } } }>(
      `{ customer(id: "cust_demo0003") { payments(first: 1) { edges { node { id } } } } }`,
    );
    expect(listed.data!.customer.payments.edges[0]?.node.id).toBe(first.data!.createPayment.id);

    const declined = await stack.run(create, { input: { ...input, paymentMethod: 'pm_card_chargeDeclined', idempotencyKey: `order-${backend}-0002` } });
    expect(declined.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamCode: 'card_declined' });
  });

  it('refunds part of a payment', async () => {
    const create = await stack.run<{ createPayment: { id: string } }>(
      `mutation { createPayment(input: { customerId: "cust_demo0004", amount: 10000, currency: "USD", paymentMethod: "pm_card_visa", idempotencyKey: "refund-me-${backend}" }) { id } }`,
    );
    const id = create.data!.createPayment.id;
    const refund = await stack.run<{ refundPayment: { amount: { amount: number }; reason: string; payment: { amountRefunded: { amount: number } } } }>(
      `mutation { refundPayment(input: { paymentId: "${id}", amount: 2500, reason: REQUESTED_BY_CUSTOMER, idempotencyKey: "refund-${backend}-1" }) { amount { amount } reason payment { amountRefunded { amount } } } }`,
    );
    expect(refund.errors).toBeUndefined();
    expect(refund.data!.refundPayment.amount.amount).toBe(2500);
    expect(refund.data!.refundPayment.reason).toBe('REQUESTED_BY_CUSTOMER');
    const tooMuch = await stack.run(`mutation { refundPayment(input: { paymentId: "${id}", amount: 999999, idempotencyKey: "refund-${backend}-2" }) { id } }`);
    expect(tooMuch.errors?.[0]?.extensions?.code).toBe('UPSTREAM_REJECTED');
  });

  it('asks the AI model for a completion with usage', async () => {
    const res = await stack.run<{
      complete: {
        text: string;
        model: string;
        provider: string;
        finishReason: string;
        usage: { totalTokens: number; promptTokens: number; completionTokens: number };
        latencyMs: number;
      };
    }>(
      `mutation { complete(input: { prompt: "Summarise customer 7 in one line", maxTokens: 64 }) { id text model provider finishReason usage { promptTokens completionTokens totalTokens } latencyMs } }`,
    );
    expect(res.errors).toBeUndefined();
    const c = res.data!.complete;
    expect(c.text.length).toBeGreaterThan(0);
    expect(c.model).toBe('gpt-4o-mini');
    expect(c.usage.totalTokens).toBe(c.usage.promptTokens + c.usage.completionTokens);
    expect(c.latencyMs).toBeGreaterThanOrEqual(0);

    const unknown = await stack.run(`mutation { complete(input: { prompt: "hi", model: "no-such-model" }) { id } }`);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', field: 'model' });
  });

  it('answers bad input with BAD_USER_INPUT naming the field, before any upstream call', async () => {
    stack.resetCounts();
    const cases: [string, Record<string, unknown> | undefined, string | undefined][] = [
      [`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }`, { input: { email: 'not-an-email' } }, 'input.email'],
      [`mutation { createCustomer(input: { email: "nope" }) { id } }`, undefined, 'input.email'],
      [
        `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`,
        { input: { customerId: 'cust_demo0001', amount: -5, currency: 'USD', idempotencyKey: 'k-12345678' } },
        'input.amount',
      ],
      [
        `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`,
        { input: { customerId: 'cust_demo0001', amount: 500, currency: 'XYZ', idempotencyKey: 'k-12345678' } },
        'input.currency',
      ],
      [`{ customer(id: "42; drop table customers") { id } }`, undefined, 'id'],
      [`{ customers(first: 1000) { totalCount } }`, undefined, 'first'],
      [`mutation { complete(input: { prompt: "a", messages: [{ role: USER, content: "b" }] }) { id } }`, undefined, 'input'],
      [`mutation { complete(input: { prompt: "a", temperature: 7 }) { id } }`, undefined, 'input.temperature'],
      // The same values inline and in variables: the same code, the same field (a scalar that
      // throws its own error, a missing and an unknown input field, a list item, a missing variable).
      [
        `mutation { createPayment(input: { customerId: "cust_demo0001", amount: -5, currency: "USD", idempotencyKey: "k-12345678" }) { id } }`,
        undefined,
        'input.amount',
      ],
      [
        `mutation($a: PositiveInt!) { createPayment(input: { customerId: "cust_demo0001", amount: $a, currency: "USD", idempotencyKey: "k-12345678" }) { id } }`,
        { a: -5 },
        'a',
      ],
      [`mutation { createPayment(input: { customerId: "cust_demo0001", amount: 5, currency: "USD" }) { id } }`, undefined, 'input.idempotencyKey'],
      [
        `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`,
        { input: { customerId: 'cust_demo0001', amount: 5, currency: 'USD' } },
        'input.idempotencyKey',
      ],
      [
        `mutation { createPayment(input: { customerId: "cust_demo0001", amount: 5, currency: "USD", idempotencyKey: "k-12345678", tip: 1 }) { id } }`,
        undefined,
        'input.tip',
      ],
      [
        `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`,
        { input: { customerId: 'cust_demo0001', amount: 5, currency: 'USD', idempotencyKey: 'k-12345678', tip: 1 } },
        'input.tip',
      ],
      [`mutation { complete(input: { messages: [{ role: USER, content: "a" }, { role: BOSS, content: "b" }] }) { id } }`, undefined, 'input.messages.1.role'],
      [
        `mutation($input: CompleteInput!) { complete(input: $input) { id } }`,
        {
          input: {
            messages: [
              { role: 'USER', content: 'a' },
              { role: 'BOSS', content: 'b' },
            ],
          },
        },
        'input.messages.1.role',
      ],
      [`mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`, {}, 'input'],
      [`mutation { createCustomer(input: { email: "${'a'.repeat(300)}@example.com" }) { id } }`, undefined, 'input.email'],
      [`{ auditEvents(filter: { from: "yesterday" }) { totalCount } }`, undefined, 'filter.from'],
      [`query($f: AuditEventFilter) { auditEvents(filter: $f) { totalCount } }`, { f: { from: `2026-01-01T00:00:00.${'0'.repeat(100)}Z` } }, 'f.from'],
    ];
    for (const [query, variables, field] of cases) {
      const res = await stack.run(query, variables);
      const err = res.errors?.[0];
      expect(err?.extensions?.code, query).toBe('BAD_USER_INPUT');
      if (field) expect(err?.extensions?.field, query).toBe(field);
      expect(JSON.stringify(err)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
      expect(res.errors, query).toHaveLength(1);
    }
    expect(stack.emulators.stripe.stats().total + stack.emulators.hubspot.stats().total + stack.emulators.openai.stats().total).toBe(0);
  });

  it("nulls only the failing system's fields: Stripe down, the CRM contact still answers", async () => {
    await fetch(`${stack.emulators.urls.stripe}/__control/faults`, { method: 'POST', body: JSON.stringify({ status: 503 }) });
    try {
      const res = await stack.run<{ customer: { email: string; payments: null; crmContact: { email: string } } }>(
        `{ customer(id: "cust_demo0008") { email payments(first: 2) { edges { cursor } } crmContact { email } } }`,
      );
      expect(res.data!.customer.payments).toBeNull();
      expect(res.data!.customer.crmContact.email).toBe(res.data!.customer.email);
      expect(res.errors?.[0]).toMatchObject({ path: ['customer', 'payments'], extensions: { code: 'UPSTREAM_UNAVAILABLE', connector: 'stripe' } });
    } finally {
      await fetch(`${stack.emulators.urls.stripe}/__control/faults`, { method: 'POST', body: '{}' });
    }
  });
});
