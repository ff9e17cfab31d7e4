import type { MutationResolvers } from '../src/generated/graphql.ts';
import { ErrorCode, badInput, codedError, required } from '../src/errors/index.ts';
import { CUSTOMER_ID, checkId, checkIdempotencyKey, checkText } from '../src/validation.ts';
import { createCustomer } from '../src/workflows/createCustomer.ts';
import { idempotentWrite } from '../src/idempotency/index.ts';
import type { PaymentRecord, RefundRecord } from '../src/connectors/domain/payments.ts';
import { replayWebhookEvent, replayWebhookEvents } from './WebhookEvent.ts';
import { syncMutations } from './SyncRun.ts';
import { compensateWorkflowRun } from './WorkflowRun.ts';
import { createApiKey, revokeApiKey } from './ApiKey.ts';
import { completionRequest, embedRequest } from './CompleteInput.ts';

// Stored answers come back as JSON: dates as ISO strings.
const decodePayment = (json: unknown): PaymentRecord => ({ ...(json as PaymentRecord), createdAt: new Date((json as { createdAt: string }).createdAt) });
const decodeRefund = (json: unknown): RefundRecord => ({ ...(json as RefundRecord), createdAt: new Date((json as { createdAt: string }).createdAt) });

export const Mutation: MutationResolvers = {
  createCustomer: (_p, { input }, ctx) => {
    const name = checkText('input.name', input.name, 200);
    const key = input.idempotencyKey == null ? null : checkIdempotencyKey('input.idempotencyKey', input.idempotencyKey);
    const { workflows } = ctx.services;
    if (!workflows)
      throw codedError(ErrorCode.UPSTREAM_UNAVAILABLE, 'This server runs no workflows, so it cannot create customers', { reason: 'no_workflows' });
    // Keys are the caller's own: scoped by principal, as every idempotency key is.
    return createCustomer(
      workflows,
      ctx.connectors,
      { email: input.email.toLowerCase(), name },
      { idempotencyScope: key ? `${ctx.principal.id}:${key}` : null },
    );
  },

  createPayment: async (_p, { input }, ctx) => {
    const customerId = checkId(CUSTOMER_ID, 'customer', 'input.customerId', input.customerId);
    const key = checkIdempotencyKey('input.idempotencyKey', input.idempotencyKey);
    const description = checkText('input.description', input.description, 1000);
    const paymentMethod = checkText('input.paymentMethod', input.paymentMethod, 255);
    const amount = { amount: input.amount, currency: input.currency.toLowerCase() };
    const request = { customerId, amount: amount.amount, currency: amount.currency, description, paymentMethod };
    const write = { principal: ctx.principal, operation: 'createPayment', key, field: 'input.idempotencyKey', request, decode: decodePayment };
    return idempotentWrite(ctx.connectors.store.idempotency, ctx.logger, write, async (idempotencyKey) => {
      const customer = await required(ctx.loaders.customerById.load(customerId), 'input.customerId');
      if (!customer.paymentsCustomerId)
        throw badInput('input.customerId', `Customer ${customerId} is not linked to the payments provider (status ${customer.linkStatus})`);
      return ctx.connectors.payments.createPayment({ providerCustomerId: customer.paymentsCustomerId, amount, description, paymentMethod, idempotencyKey });
    });
  },

  refundPayment: async (_p, { input }, ctx) => {
    const paymentId = checkId(ctx.connectors.payments.paymentIds, 'payment', 'input.paymentId', input.paymentId);
    const key = checkIdempotencyKey('input.idempotencyKey', input.idempotencyKey);
    const request = { paymentId, amount: input.amount ?? null, reason: input.reason ? input.reason.toLowerCase() : null };
    const write = { principal: ctx.principal, operation: 'refundPayment', key, field: 'input.idempotencyKey', request, decode: decodeRefund };
    return idempotentWrite(ctx.connectors.store.idempotency, ctx.logger, write, async (idempotencyKey) => {
      const payment = await required(ctx.loaders.paymentById.load(paymentId), 'input.paymentId');
      const refund = await ctx.connectors.payments.refundPayment({ ...request, idempotencyKey });
      if (payment.providerCustomerId) await ctx.connectors.payments.noteWrite(payment.providerCustomerId);
      return refund;
    });
  },

  complete: (_p, { input }, ctx) => ctx.services.ai.complete(completionRequest(input, ctx)),

  embed: (_p, { input }, ctx) => ctx.services.ai.embed(embedRequest(input, ctx)),

  replayWebhookEvent,

  replayWebhookEvents,

  ...syncMutations,

  compensateWorkflowRun,

  createApiKey,

  revokeApiKey,
};
