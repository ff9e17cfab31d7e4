// The resolver map, one file per GraphQL type, plus the graphql-scalars implementations.
import { DateTimeResolver, EmailAddressResolver, CurrencyResolver, PositiveIntResolver, NonNegativeIntResolver, JSONObjectResolver } from 'graphql-scalars';
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

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  EmailAddress: EmailAddressResolver,
  Currency: CurrencyResolver,
  PositiveInt: PositiveIntResolver,
  NonNegativeInt: NonNegativeIntResolver,
  JSONObject: JSONObjectResolver,
  Query,
  Mutation,
  Customer,
  Payment,
  Refund,
  Money,
  CrmContact,
  AuditEvent,
  ConnectorStatus,
};
