// Entry points. The customer role reaches only its own customer, payments and contact; it
// cannot list customers. `customers(search:)` matches email and name, so searching is reading
// them: without pii:read it is refused before any row is read, whatever the search holds.
import type { Query as Fields } from '../generated/graphql.ts';
import { policy, type TypePolicy } from './policy.ts';

export const Query: TypePolicy<Fields> = {
  customer: policy('customers:read', { own: 'customerArg' }),
  customers: policy('customers:read', 'deny', { piiArgs: ['search'] }),
  payment: policy('payments:read', { own: 'paymentArg' }),
  crmContact: policy('crm:read', { own: 'contactArg' }),
  auditEvents: policy('audit:read', 'deny'),
  connectors: policy('ops:read', 'deny'),
  alerts: policy('ops:read', 'deny'),
  webhookBacklog: policy('ops:read', 'deny'),
  auditChain: policy('audit:read', 'deny'),
  // Who may call Switchyard: keys:admin, which operators never hold.
  apiKeys: policy('keys:admin', 'deny'),
  webhookEvents: policy('ops:read', 'deny'),
  // What AI costs, by principal too: an operator's view, like the connectors' figures.
  aiUsage: policy('ops:read', 'deny'),
  aiBudgets: policy('ops:read', 'deny'),
  workflowRuns: policy('ops:read', 'deny'),
  workflowRun: policy('ops:read', 'deny'),
  reconciliation: policy('ops:read', 'deny'),
  syncRuns: policy('ops:read', 'deny'),
  // The business's figures as sums over every customer: an operator's (or a BI tool's) view.
  revenueReport: policy('ops:read', 'deny'),
  paymentsReport: policy('ops:read', 'deny'),
  customersByLifecycleStage: policy('ops:read', 'deny'),
};
