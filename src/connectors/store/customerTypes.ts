// The customers table as the rest of Switchyard sees it.
import type { Db } from './db.ts';

/** Where a customer's links to the other systems stand (see createCustomer in resolvers/Mutation.ts). */
export type LinkStatus = 'provisioning' | 'pending' | 'linked' | 'needs_repair';

export interface CustomerRecord {
  id: string;
  email: string;
  name: string | null;
  createdAt: Date;
  paymentsCustomerId: string | null;
  crmContactId: string | null;
  linkStatus: LinkStatus;
  linkError: string | null;
  /** The CRM contact's lifecycle stage as the CRM last showed it (the reports count by it); null without a contact or before one is known. */
  crmLifecycleStage: string | null;
}

export interface CustomerPage {
  /** Each record with its cursor: opaque, valid only with the same search (see cursors.ts). */
  edges: { cursor: string; node: CustomerRecord }[];
  hasNextPage: boolean;
  totalCount: number;
}

export interface ListCustomersArgs {
  first: number;
  /** The cursor of the last edge of a previous page of the same search; anything else is StoreInputError('after'). */
  after?: string | null;
  /** Case-insensitive match on email or name. */
  search?: string | null;
}

export interface NewCustomer {
  id: string;
  email: string;
  name: string | null;
  /** Linked from the start (a customer made for a contact the CRM has already). */
  crmContactId?: string | null;
  /** That contact's lifecycle stage, when the caller read it (the reports count by it). */
  crmLifecycleStage?: string | null;
  /** Starts PENDING with this reason instead of PROVISIONING (a run no caller waits for). */
  pendingReason?: string | null;
}

export interface LinkedCustomer extends NewCustomer {
  createdAt: Date;
  paymentsCustomerId: string;
  crmContactId: string;
}

export interface CustomerLinks {
  paymentsCustomerId?: string | null;
  crmContactId?: string | null;
  linkStatus: LinkStatus;
  linkError?: string | null;
  /** The linked contact's lifecycle stage; omitted, it is kept, unless crmContactId changes, which clears it (it was the old contact's). */
  crmLifecycleStage?: string | null;
}

export interface CustomerStore {
  /** One statement for all ids; results in key order, null for a missing id. */
  byIds(ids: readonly string[]): Promise<(CustomerRecord | null)[]>;
  byPaymentsIds(ids: readonly string[], tx?: Db): Promise<(CustomerRecord | null)[]>;
  /** On `tx` when given (a trigger reading inside the event's transaction). */
  byCrmIds(ids: readonly string[], tx?: Db): Promise<(CustomerRecord | null)[]>;
  /** Case-insensitive; on `tx` when given. */
  byEmail(email: string, tx?: Db): Promise<CustomerRecord | null>;
  list(args: ListCustomersArgs): Promise<CustomerPage>;
  /** Inserts already-linked customers in one statement, leaving any whose id, email or links exist; returns how many went in. */
  insertLinked(rows: readonly LinkedCustomer[]): Promise<number>;
  /** Inserts with linkStatus 'provisioning' (on `tx` when given); throws StoreConflictError when the email exists. */
  insert(customer: NewCustomer, tx?: Db): Promise<CustomerRecord>;
  /** A provisioning (or pending) customer waits for a system that is down: PENDING, with the reason. */
  setPending(id: string, reason: string): Promise<void>;
  updateLinks(id: string, links: CustomerLinks): Promise<CustomerRecord>;
  /**
   * Links a CRM contact to the customer with its email that has none, in one guarded statement:
   * LINKED when it has its payments customer, its status kept otherwise. A customer whose run is
   * still linking it (provisioning, pending) is left to that run, which finds the contact itself;
   * true when the row changed.
   */
  adoptCrmContact(id: string, crmContactId: string, stage: string | null): Promise<boolean>;
  /** When the row last changed (links, status, email or name), as an opaque string; null for no such customer. */
  version(id: string, tx?: Db): Promise<string | null>;
  /** The customer's own email and name (the field sync); throws StoreConflictError('email') when another customer has the email. */
  updateProfile(id: string, profile: { email?: string; name?: string | null }): Promise<CustomerRecord>;
  /** The stage of the customer's contact, as a CRM event showed it; nothing when the customer is no longer linked to that contact. */
  setCrmLifecycleStage(id: string, crmContactId: string, stage: string | null): Promise<void>;
  delete(id: string): Promise<void>;
}
