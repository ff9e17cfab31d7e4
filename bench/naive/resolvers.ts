// What a team writes by hand: resolvers that call each provider's SDK (or fetch) directly for
// every field they resolve. No DataLoader, no cache, no pipeline (no quota, breaker, deadline or
// response validation), no coded errors. Customer.payments makes one Stripe list call per
// customer and Customer.crmContact one HubSpot GET per contact: 1 + 2N calls for N customers.
// The store is Switchyard's own Store, so the data are the same.
import Stripe from 'stripe';
import OpenAI from 'openai';
import { GraphQLError } from 'graphql';
import { CurrencyResolver, DateTimeResolver, EmailAddressResolver, NonNegativeIntResolver, PositiveIntResolver } from 'graphql-scalars';
import type { CustomerRecord, Store } from '../../src/connectors/store/index.ts';

export interface NaiveClients {
  store: Store;
  stripe: Stripe;
  hubspot: { baseUrl: string; token: string };
  openai: OpenAI;
}

type Args = Record<string, any>;
const EXPAND = ['latest_charge'];
const CONTACT_PROPERTIES = 'email,firstname,lastname,company,lifecyclestage';

export function naiveClients(env: NodeJS.ProcessEnv, store: Store): NaiveClients {
  const stripeUrl = new URL(env.STRIPE_API_BASE!);
  return {
    store,
    // Telemetry off: under this load its buffer overflows into one process warning per call,
    // a cost of the SDK's bookkeeping rather than of the per-field call pattern measured here.
    stripe: new Stripe(env.STRIPE_SECRET_KEY!, {
      host: stripeUrl.hostname,
      port: Number(stripeUrl.port),
      protocol: stripeUrl.protocol === 'http:' ? 'http' : 'https',
      telemetry: false,
    }),
    hubspot: { baseUrl: env.HUBSPOT_API_BASE!, token: env.HUBSPOT_ACCESS_TOKEN! },
    openai: new OpenAI({ apiKey: env.OPENAI_API_KEY!, baseURL: env.OPENAI_BASE_URL! }),
  };
}

const upper = (s: string | null | undefined) => (s ? s.toUpperCase() : null);
const customerId = (c: string | { id: string } | null) => (c == null ? null : typeof c === 'string' ? c : c.id);

function payment(pi: Stripe.PaymentIntent) {
  const charge = typeof pi.latest_charge === 'object' ? pi.latest_charge : null;
  return {
    id: pi.id,
    amount: { amount: pi.amount, currency: pi.currency },
    amountRefunded: { amount: charge?.amount_refunded ?? 0, currency: pi.currency },
    status: upper(pi.status),
    description: pi.description,
    createdAt: new Date(pi.created * 1000),
    paymentsCustomerId: customerId(pi.customer as string | { id: string } | null),
  };
}

async function hubspotContact({ hubspot }: NaiveClients, id: string) {
  const res = await fetch(`${hubspot.baseUrl}/crm/v3/objects/contacts/${encodeURIComponent(id)}?properties=${CONTACT_PROPERTIES}`, {
    headers: { authorization: `Bearer ${hubspot.token}` },
  });
  if (res.status === 404) return null;
  if (!res.ok) throw new GraphQLError(`HubSpot answered ${res.status}`);
  const c = (await res.json()) as { id: string; updatedAt?: string; properties: Record<string, string | null> };
  const p = c.properties;
  return {
    id: c.id,
    email: p.email,
    firstName: p.firstname,
    lastName: p.lastname,
    company: p.company,
    lifecycleStage: p.lifecyclestage,
    updatedAt: c.updatedAt,
    _id: c.id,
  };
}

const formats = new Map<string, Intl.NumberFormat>();
function formatted(amount: number, currency: string): string {
  let f = formats.get(currency);
  if (!f) formats.set(currency, (f = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() })));
  return f.format(amount / 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2));
}

export function naiveResolvers(clients: NaiveClients) {
  const { store, stripe, openai } = clients;
  const customer = async (id: string) => (await store.customers.byIds([id]))[0] ?? null;
  return {
    DateTime: DateTimeResolver,
    EmailAddress: EmailAddressResolver,
    Currency: CurrencyResolver,
    PositiveInt: PositiveIntResolver,
    NonNegativeInt: NonNegativeIntResolver,
    Query: {
      customer: (_: unknown, { id }: Args) => customer(id),
      customers: async (_: unknown, { first, after, search }: Args) => {
        const { edges, totalCount, hasNextPage } = await store.customers.list({ first, after, search });
        return { edges, totalCount, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
      },
      payment: async (_: unknown, { id }: Args) => payment(await stripe.paymentIntents.retrieve(id, { expand: EXPAND })),
      crmContact: (_: unknown, { id }: Args) => hubspotContact(clients, id),
    },
    Customer: {
      linkStatus: (c: CustomerRecord) => c.linkStatus.toUpperCase(),
      payments: async (c: CustomerRecord, { first, after }: Args) => {
        if (!c.paymentsCustomerId) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
        const list = await stripe.paymentIntents.list({
          customer: c.paymentsCustomerId,
          limit: first,
          starting_after: after ?? undefined,
          expand: ['data.latest_charge'],
        });
        const edges = list.data.map((pi) => ({ cursor: pi.id, node: payment(pi) }));
        return { edges, pageInfo: { hasNextPage: list.has_more, endCursor: edges.at(-1)?.cursor ?? null } };
      },
      crmContact: (c: CustomerRecord) => (c.crmContactId ? hubspotContact(clients, c.crmContactId) : null),
      totalPaid: async (c: CustomerRecord) => {
        if (!c.paymentsCustomerId) return [];
        const all = await stripe.paymentIntents
          .list({ customer: c.paymentsCustomerId, limit: 100, expand: ['data.latest_charge'] })
          .autoPagingToArray({ limit: 10_000 });
        const sums = new Map<string, number>();
        for (const p of all.map(payment))
          if (p.status === 'SUCCEEDED') sums.set(p.amount.currency, (sums.get(p.amount.currency) ?? 0) + p.amount.amount - p.amountRefunded.amount);
        return [...sums].map(([currency, amount]) => ({ amount, currency }));
      },
    },
    Payment: {
      customer: async (p: { paymentsCustomerId: string | null }) =>
        p.paymentsCustomerId ? ((await store.customers.byPaymentsIds([p.paymentsCustomerId]))[0] ?? null) : null,
      refunds: async (p: { id: string }) =>
        (await stripe.refunds.list({ payment_intent: p.id, limit: 100 })).data.map((r) => ({
          id: r.id,
          amount: { amount: r.amount, currency: r.currency },
          status: r.status ?? 'pending',
          reason: upper(r.reason),
          createdAt: new Date(r.created * 1000),
          paymentId: p.id,
        })),
    },
    Refund: {
      payment: async (r: { paymentId: string }) => payment(await stripe.paymentIntents.retrieve(r.paymentId, { expand: EXPAND })),
    },
    CrmContact: {
      customer: async (c: { _id: string }) => (await store.customers.byCrmIds([c._id]))[0] ?? null,
    },
    Money: {
      formatted: (m: { amount: number; currency: string }) => formatted(m.amount, m.currency),
    },
    Mutation: {
      createPayment: async (_: unknown, { input }: Args) => {
        const c = await customer(input.customerId);
        if (!c?.paymentsCustomerId) throw new GraphQLError(`No Stripe customer for ${input.customerId}`);
        const pi = await stripe.paymentIntents.create(
          {
            amount: input.amount,
            currency: String(input.currency).toLowerCase(),
            customer: c.paymentsCustomerId,
            description: input.description ?? undefined,
            automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
            expand: EXPAND,
            ...(input.paymentMethod ? { payment_method: input.paymentMethod, confirm: true } : {}),
          },
          { idempotencyKey: input.idempotencyKey },
        );
        return payment(pi);
      },
      refundPayment: async (_: unknown, { input }: Args) => {
        const r = await stripe.refunds.create(
          { payment_intent: input.paymentId, amount: input.amount ?? undefined, reason: input.reason?.toLowerCase() },
          { idempotencyKey: input.idempotencyKey },
        );
        return {
          id: r.id,
          amount: { amount: r.amount, currency: r.currency },
          status: r.status ?? 'pending',
          reason: upper(r.reason),
          createdAt: new Date(r.created * 1000),
          paymentId: input.paymentId,
        };
      },
      complete: async (_: unknown, { input }: Args) => {
        const started = performance.now();
        const messages =
          input.prompt != null
            ? [{ role: 'user' as const, content: input.prompt as string }]
            : (input.messages as { role: string; content: string }[]).map((m) => ({ role: m.role.toLowerCase() as 'user', content: m.content }));
        const res = await openai.chat.completions.create({ model: input.model ?? 'gpt-4o-mini', messages });
        const usage = res.usage!;
        return {
          id: res.id,
          text: res.choices[0]?.message.content ?? '',
          model: res.model,
          provider: 'openai',
          finishReason: res.choices[0]?.finish_reason,
          usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens },
          latencyMs: Math.round(performance.now() - started),
        };
      },
      createCustomer: () => {
        throw new GraphQLError('createCustomer is not part of the naive gateway (not benchmarked)');
      },
    },
  };
}
