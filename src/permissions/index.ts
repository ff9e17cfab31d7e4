// The permission layer: graphql-shield over the executable schema, deny by default. Every field
// of every type has a policy in this folder (one file per type); a field without one is
// FORBIDDEN, and an error thrown by a resolver passes through unchanged (allowExternalErrors),
// never reported as a permission error.
import type { GraphQLSchema } from 'graphql';
import type { FieldPolicy } from './policy.ts';
import { forbidden, middlewareLib, ruleFor, shieldLib } from './rules.ts';
import { Query } from './Query.ts';
import { Mutation } from './Mutation.ts';
import { Customer } from './Customer.ts';
import { CustomerConnection } from './CustomerConnection.ts';
import { CustomerEdge } from './CustomerEdge.ts';
import { PageInfo } from './PageInfo.ts';
import { Payment } from './Payment.ts';
import { PaymentConnection } from './PaymentConnection.ts';
import { PaymentEdge } from './PaymentEdge.ts';
import { Refund } from './Refund.ts';
import { Money } from './Money.ts';
import { CrmContact } from './CrmContact.ts';
import { AiCompletion } from './AiCompletion.ts';
import { AiUsage } from './AiUsage.ts';
import { AiAttempt } from './AiAttempt.ts';
import { Subscription } from './Subscription.ts';
import { AiStreamEvent } from './AiStreamEvent.ts';
import { AiEmbedding } from './AiEmbedding.ts';
import { AiUsageReport } from './AiUsageReport.ts';
import { AiUsageGroup } from './AiUsageGroup.ts';
import { AiUsageTotals } from './AiUsageTotals.ts';
import { AiBudget } from './AiBudget.ts';
import { AuditEvent } from './AuditEvent.ts';
import { AuditEventConnection } from './AuditEventConnection.ts';
import { AuditEventEdge } from './AuditEventEdge.ts';
import { AuditConnectorCall } from './AuditConnectorCall.ts';
import { AuditAiCall } from './AuditAiCall.ts';
import { AuditAlert } from './AuditAlert.ts';
import { AuditWebhook } from './AuditWebhook.ts';
import { ConnectorStatus } from './ConnectorStatus.ts';
import { ConnectorQuota } from './ConnectorQuota.ts';
import { ConnectorError } from './ConnectorError.ts';
import { WebhookEvent } from './WebhookEvent.ts';
import { WebhookEventConnection } from './WebhookEventConnection.ts';
import { WebhookEventEdge } from './WebhookEventEdge.ts';
import { WorkflowRun } from './WorkflowRun.ts';
import { WorkflowRunConnection } from './WorkflowRunConnection.ts';
import { WorkflowRunEdge } from './WorkflowRunEdge.ts';
import { WorkflowStep } from './WorkflowStep.ts';
import { SyncRun } from './SyncRun.ts';
import { SyncProgress } from './SyncProgress.ts';
import { SyncCount } from './SyncCount.ts';
import { DriftCount } from './DriftCount.ts';
import { Drift } from './Drift.ts';
import { RevenueReport } from './RevenueReport.ts';
import { RevenueDay } from './RevenueDay.ts';
import { RevenueTotal } from './RevenueTotal.ts';
import { PaymentsReport } from './PaymentsReport.ts';
import { PaymentStatusSum } from './PaymentStatusSum.ts';
import { LifecycleStageCount } from './LifecycleStageCount.ts';
import { ConnectorPoint } from './ConnectorPoint.ts';
import { ConnectorPolicy } from './ConnectorPolicy.ts';
import { Alert } from './Alert.ts';
import { WebhookBacklogCount } from './WebhookBacklogCount.ts';
import { AuditChainStatus } from './AuditChainStatus.ts';
import { ApiKey } from './ApiKey.ts';
import { CreatedApiKey } from './CreatedApiKey.ts';

export const POLICIES: Record<string, Record<string, FieldPolicy>> = {
  Query,
  Mutation,
  Customer,
  CustomerConnection,
  CustomerEdge,
  PageInfo,
  Payment,
  PaymentConnection,
  PaymentEdge,
  Refund,
  Money,
  CrmContact,
  AiCompletion,
  AiUsage,
  AiAttempt,
  Subscription,
  AiStreamEvent,
  AiEmbedding,
  AiUsageReport,
  AiUsageGroup,
  AiUsageTotals,
  AiBudget,
  AuditEvent,
  AuditEventConnection,
  AuditEventEdge,
  AuditConnectorCall,
  AuditAiCall,
  AuditAlert,
  AuditWebhook,
  ConnectorStatus,
  ConnectorQuota,
  ConnectorError,
  WebhookEvent,
  WebhookEventConnection,
  WebhookEventEdge,
  WorkflowRun,
  WorkflowRunConnection,
  WorkflowRunEdge,
  WorkflowStep,
  SyncRun,
  SyncProgress,
  SyncCount,
  DriftCount,
  Drift,
  RevenueReport,
  RevenueDay,
  RevenueTotal,
  PaymentsReport,
  PaymentStatusSum,
  LifecycleStageCount,
  ConnectorPoint,
  ConnectorPolicy,
  Alert,
  WebhookBacklogCount,
  AuditChainStatus,
  ApiKey,
  CreatedApiKey,
};

export function permissions() {
  const tree = Object.fromEntries(
    Object.entries(POLICIES).map(([type, fields]) => [type, Object.fromEntries(Object.entries(fields).map(([f, p]) => [f, ruleFor(p, `${type}.${f}`)]))]),
  );
  return shieldLib.shield(tree, {
    fallbackRule: shieldLib.deny,
    fallbackError: (_thrown, _parent, _args, _ctx, info) => forbidden(`No permission rule covers ${info.parentType.name}.${info.fieldName}`),
    allowExternalErrors: true,
    debug: false,
  });
}

export function withPermissions(schema: GraphQLSchema): GraphQLSchema {
  return middlewareLib.applyMiddleware(schema, permissions());
}

export type { FieldPolicy } from './policy.ts';
