// The resolver map, one file per GraphQL type, plus the scalars (graphql-scalars, bounded in scalars.ts).
import { Currency, DateScalar, DateTime, EmailAddress, JSONObject, NonNegativeInt, PositiveInt } from './scalars.ts';
import type { Resolvers } from '../src/generated/graphql.ts';
import { Query } from './Query.ts';
import { Mutation } from './Mutation.ts';
import { Customer } from './Customer.ts';
import { Payment } from './Payment.ts';
import { Refund } from './Refund.ts';
import { Money } from './Money.ts';
import { CrmContact } from './CrmContact.ts';
import { AuditEvent } from './AuditEvent.ts';
import { ConnectorStatus } from './ConnectorStatus.ts';
import { WebhookEvent } from './WebhookEvent.ts';
import { Subscription } from './Subscription.ts';
import { AiEmbedding } from './AiEmbedding.ts';
import { WorkflowRun, WorkflowStep } from './WorkflowRun.ts';
import { SyncRun } from './SyncRun.ts';
import { ConnectorPolicy } from './ConnectorPolicy.ts';
import { Alert } from './Alert.ts';
import { ApiKey } from './ApiKey.ts';

export const resolvers: Resolvers = {
  DateTime,
  Date: DateScalar,
  EmailAddress,
  Currency,
  PositiveInt,
  NonNegativeInt,
  JSONObject,
  Query,
  Mutation,
  Customer,
  Payment,
  Refund,
  Money,
  CrmContact,
  AuditEvent,
  ConnectorStatus,
  WebhookEvent,
  Subscription,
  AiEmbedding,
  WorkflowRun,
  WorkflowStep,
  SyncRun,
  ConnectorPolicy,
  Alert,
  ApiKey,
};
