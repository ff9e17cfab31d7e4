// Changes: write scopes (operators, admins, services granted them). The customer role changes
// nothing: payments are created for customers by the systems that serve them, not by the
// customer's own token. Replaying webhook events acts on Switchyard's own machinery: ops:write,
// which only admins (and services granted it) hold. A completion names a capability; choosing
// the model itself (input.model) bypasses the capability's chain and its cost choices: ai:models.
import type { Mutation as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

export const Mutation: TypePolicy<Fields> = {
  createCustomer: policy('customers:write', 'deny'),
  createPayment: policy('payments:write', 'deny'),
  refundPayment: policy('payments:write', 'deny'),
  complete: policy('ai:complete', 'deny', { scopedArgs: { 'input.model': 'ai:models' } }),
  embed: policy('ai:complete', 'deny'),
  replayWebhookEvent: policy('ops:write', 'deny'),
  replayWebhookEvents: policy('ops:write', 'deny'),
  // Reconciliation repairs and imports act on every system at once; a run retried is the operator's call.
  runReconciliation: policy('ops:write', 'deny'),
  runImport: policy('ops:write', 'deny'),
  retryWorkflowRun: policy('ops:write', 'deny'),
  compensateWorkflowRun: policy('ops:write', 'deny'),
  // Issuing a key is granting its role: keys:admin (admins, and services granted it).
  createApiKey: policy('keys:admin', 'deny'),
  revokeApiKey: policy('keys:admin', 'deny'),
};
